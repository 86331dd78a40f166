import { describe, expect, it } from "vitest";
import { mayOverride, type PolicyReason, type PolicyVerdict } from "../../../src/policy/index.js";

const rule = (overridable: boolean): PolicyReason => ({
  code: "rule",
  rule: overridable ? "soft" : "hard",
  ...(overridable ? { overridable: true } : {}),
  message: "entry 0: rule says reject",
});
const builtIn: PolicyReason = { code: "reserved-event-id", message: "entry 1: pairing" };
const reject = (...reasons: PolicyReason[]): PolicyVerdict => ({ decision: "reject", reasons });

describe("mayOverride", () => {
  it("lets an approval through a rejection only by overridable rules, or by an admin", () => {
    expect(mayOverride(reject(rule(true)), "write")).toMatchObject({
      kind: "overridden",
      by: "overridable-rules",
    });
    expect(mayOverride(reject(rule(true), rule(false)), "maintain")).toMatchObject({
      kind: "refused",
      builtIn: false,
      reasons: [rule(false)],
    });
    expect(mayOverride(reject(rule(false)), "admin")).toMatchObject({ kind: "overridden", by: "admin" });
  });

  it("never lets anyone through a built-in refusal", () => {
    expect(mayOverride(reject(rule(true), builtIn), "admin")).toEqual({
      kind: "refused",
      builtIn: true,
      reasons: [builtIn],
    });
  });

  it("has nothing to override when the rules do not reject", () => {
    expect(mayOverride({ decision: "review", reasons: [] }, "write")).toEqual({ kind: "not-rejected" });
    expect(mayOverride({ decision: "apply", reasons: [] }, "read")).toEqual({ kind: "not-rejected" });
  });
});
