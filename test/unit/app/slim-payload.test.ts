import { describe, expect, it } from "vitest";
import { issuePayloadSchema, slimPayload } from "../../../src/app/disk-queue.js";

const base = {
  action: "transferred",
  sender: { login: "maintainer", type: "User" },
  repository: { name: "old", owner: { login: "owner" } },
  issue: { number: 5, body: "Patch: k51…", user: { login: "contributor", type: "User" } },
};

describe("a queued event's record", () => {
  it("keeps where a transferred issue went, and nothing else of GitHub's `changes`", () => {
    const payload = issuePayloadSchema.parse({
      ...base,
      changes: {
        new_issue: { number: 7, title: "moved", body: "x".repeat(1000) },
        new_repository: { full_name: "owner/new-home", private: false },
      },
    });
    const record = issuePayloadSchema.parse(JSON.parse(JSON.stringify(slimPayload(payload))));
    expect(record.changes).toEqual({
      new_issue: { number: 7 },
      new_repository: { full_name: "owner/new-home" },
    });
  });

  it("holds no `changes` for an event without them", () => {
    const record = slimPayload(issuePayloadSchema.parse(base));
    expect(JSON.parse(JSON.stringify(record)).changes).toBeUndefined();
  });
});
