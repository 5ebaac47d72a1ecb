import { createApp } from "./app";

let server;
let base;

beforeAll(async () => {
  server = createApp().listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

test("health answers ok", async () => {
  const res = await fetch(`${base}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
});

test("greet uses the name", async () => {
  const res = await fetch(`${base}/greet?name=Stagefile`);
  expect(await res.json()).toEqual({ message: "Hello, Stagefile!" });
});
