import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { createApp } from "../src/app";

const server = createApp();
let base = "";
before(() => new Promise<void>((resolve) => server.listen(0, () => {
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  resolve();
})));
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("health answers ok", async () => {
  const res = await fetch(`${base}/health`);
  assert.equal(res.status, 200);
});

test("an order gets its total", async () => {
  const res = await fetch(`${base}/orders`, { method: "POST", body: JSON.stringify({ item: "tea", quantity: 3 }) });
  assert.equal(res.status, 201);
  assert.deepEqual(await res.json(), { item: "tea", quantity: 3, total: 7.5 });
});

test("a bad order is refused", async () => {
  const res = await fetch(`${base}/orders`, { method: "POST", body: JSON.stringify({ item: "", quantity: 0 }) });
  assert.equal(res.status, 400);
});
