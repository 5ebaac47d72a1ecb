const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createServer } = require("../src/app");

async function withServer(fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notes-"));
  const server = createServer(dir).listen(0);
  await new Promise((r) => server.once("listening", r));
  try {
    await fn(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.close();
  }
}

test("a note is stored and read back", () =>
  withServer(async (base) => {
    assert.equal((await fetch(`${base}/notes/groceries`, { method: "PUT", body: "milk" })).status, 201);
    const res = await fetch(`${base}/notes/groceries`);
    assert.equal(await res.text(), "milk");
  }));

test("health reports ok", () =>
  withServer(async (base) => {
    const body = await (await fetch(`${base}/health`)).json();
    assert.equal(body.status, "ok");
  }));
