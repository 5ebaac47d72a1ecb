import { expect, test } from "bun:test";
import { app } from "../src/app";

test("/health answers", async () => {
  const res = await app.request("/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
});

test("/ names the runtime", async () => {
  const res = await app.request("/");
  expect(await res.text()).toContain("bun");
});
