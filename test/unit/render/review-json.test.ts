import { describe, expect, it } from "vitest";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { renderReviewJson } from "../../../src/render/review-json.js";
import { fieldsReview, genericReview, refusedReview, storageReview } from "./scenarios.js";

/** The same object with every key order reversed, as a producer might have built it. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, inner]) => [key, reversed(inner)]),
  );
}

/** Every object's keys in order, nested: what `toEqual` on the values themselves does not compare. */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value === null || typeof value !== "object") return null;
  return Object.entries(value).map(([key, inner]) => [key, keyOrder(inner)]);
}

describe("renderReviewJson", () => {
  it("is the change model itself, pretty-printed with two spaces", () => {
    for (const review of [storageReview(), fieldsReview(), refusedReview(), genericReview()]) {
      const json = renderReviewJson(review);
      expect(JSON.parse(json)).toEqual(review);
      expect(json).toContain('\n  "schemaVersion": 1,\n');
    }
  });

  it("writes keys in the documented order whatever order the producer used", () => {
    const review = storageReview();
    expect(renderReviewJson(reversed(review) as PatchReview)).toBe(renderReviewJson(review));
    // The known review is built in the model's order: the output has its keys, in its order, at every level.
    expect(keyOrder(JSON.parse(renderReviewJson(reversed(review) as PatchReview)))).toEqual(keyOrder(review));
  });

  it("keeps fields added to the model later, after the documented ones", () => {
    const review = { ...fieldsReview(), policy: { decision: "review" } } as PatchReview;
    const keys = Object.keys(JSON.parse(renderReviewJson(review)));
    expect(keys.at(-1)).toBe("policy");
  });

  it("leaves the states exactly as given (DAG-JSON links included)", () => {
    const review = { ...fieldsReview(), after: { Z: 1, A: { "/": "bafyx" } } };
    expect(JSON.parse(renderReviewJson(review)).after).toEqual({ Z: 1, A: { "/": "bafyx" } });
    expect(renderReviewJson(review)).toContain('"Z": 1,\n    "A"');
  });
});
