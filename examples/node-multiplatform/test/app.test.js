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

test(`a hash verifies with its password only (on ${process.arch})`, async () => {
  const { hash } = await (await fetch(`${base}/hash`, { method: "POST", body: "s3cret" })).json();
  assert.match(hash, /^\$2[aby]\$08\$/);
  const verify = async (password) =>
    (await (await fetch(`${base}/verify`, { method: "POST", body: JSON.stringify({ password, hash }) })).json()).match;
  assert.equal(await verify("s3cret"), true);
  assert.equal(await verify("guess"), false);
});
