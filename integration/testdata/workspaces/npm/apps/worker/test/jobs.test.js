const { test } = require("node:test");
const assert = require("node:assert/strict");
const { every } = require("../src/jobs");

test("a schedule is an interval in milliseconds", () => {
  assert.equal(every("30s"), 30000);
});
