const { test } = require("node:test");
const assert = require("node:assert/strict");

test("the tests pass: only starting the release shows the problem", () => {
  assert.equal(1 + 1, 2);
});
