const { test } = require("node:test");
const assert = require("node:assert/strict");
const { line } = require("../dist");

test("a line has the time, the app and the message", () => {
  assert.equal(line("api", "up", new Date(0)), "1970-01-01T00:00:00.000Z api: up");
});
