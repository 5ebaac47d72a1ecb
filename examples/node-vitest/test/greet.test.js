import { describe, expect, it } from "vitest";
import { greet } from "../src/greet.js";

describe("greet", () => {
  it("greets by name", () => expect(greet("ada")).toBe("hello, ada"));
  it("greets the world by default", () => expect(greet()).toBe("hello, world"));
});
