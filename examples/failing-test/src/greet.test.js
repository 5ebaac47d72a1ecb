const test = require("node:test");
const assert = require("node:assert");
const { greet } = require("./greet");

test("greet ends the sentence", () => {
  assert.strictEqual(greet("Stagefile"), "Hello, Stagefile!");
});
