const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { createApp } = require("../src/app");

const server = createApp();
let base;
before(() => new Promise((resolve) => server.listen(0, () => {
  base = `http://127.0.0.1:${server.address().port}`;
  resolve();
})));
after(() => new Promise((resolve) => server.close(resolve)));

test("health reports uptime from the shared package", async () => {
  const body = await (await fetch(`${base}/health`)).json();
  assert.equal(body.status, "ok");
  assert.match(body.uptime, /\d+ (ms|seconds?)/);
});

test("whoami reads the cookie", async () => {
  const res = await fetch(`${base}/whoami`, { headers: { cookie: "user=ada" } });
  assert.equal(await res.text(), "you are ada\n");
});

test("log lines come from the logger package, compiled before the tests", async () => {
  assert.match(await (await fetch(`${base}/log`)).text(), /^\d{4}-.*Z api: hello\n$/);
});
