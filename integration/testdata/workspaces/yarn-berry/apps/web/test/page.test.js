const { test } = require("node:test");
const assert = require("node:assert/strict");
const { page } = require("../src/page");

test("the title is escaped", () => {
  assert.match(page("a <b>"), /<title>a &lt;b&gt;<\/title>/);
});
