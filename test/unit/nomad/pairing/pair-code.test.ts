import { describe, expect, it } from "vitest";
import { UsageError } from "../../../../src/errors.js";
import {
  formatPairCode,
  generatePairCode,
  parsePairCode,
  passwordStrengthBits,
  STRONG_PASSWORD_BITS,
} from "../../../../src/nomad/pairing/pair-code.js";

describe("pair codes", () => {
  it("reads the C# form (first 4 characters the room, the rest the password) and room-password", () => {
    expect(parsePairCode("a1b23f9c")).toEqual({ room: "a1b2", password: "3f9c" });
    expect(parsePairCode(" room7-pass-word ")).toEqual({ room: "room7", password: "pass-word" });
    for (const bad of ["", "a1b2", "-pw", "room-", "a1b2 3f9c"])
      expect(() => parsePairCode(bad), bad).toThrow(UsageError);
  });

  it("makes codes whose password resists an offline guess, and reads them back", () => {
    const code = generatePairCode();
    expect(code.password).toMatch(/^[a-z2-7]{26}$/);
    expect(passwordStrengthBits(code.password)).toBeGreaterThanOrEqual(STRONG_PASSWORD_BITS);
    expect(parsePairCode(formatPairCode(code))).toEqual(code);
    expect(generatePairCode()).not.toEqual(code);
  });

  it("rates the C# tests' 4 hex digits as weak", () => {
    expect(passwordStrengthBits("3f9c")).toBe(16);
    expect(passwordStrengthBits("1234")).toBe(13);
    expect(passwordStrengthBits("a".repeat(25))).toBeLessThan(STRONG_PASSWORD_BITS);
  });
});
