import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { orderEntries } from "../../../src/nomad/order-entries.js";
import type { EventStreamEntry } from "../../../src/nomad/records/event-stream-entry.js";
import { parseTimestamp } from "../../../src/nomad/timestamp.js";

const content = CID.parse("bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4");
const at = (name: string, timestampUtc: string): { name: string; entry: EventStreamEntry } => ({
  name,
  entry: {
    targetId: "t",
    eventId: "e",
    timestampUtc,
    ticks: parseTimestamp(timestampUtc),
    timestampForm: "utc",
    content,
  },
});

describe("orderEntries", () => {
  const now = parseTimestamp("2025-06-01T12:00:00Z");

  it("sorts by 100 ns ticks, keeping ties in discovery order", () => {
    const items = [
      at("b1", "2025-06-01T10:00:00.0000002Z"),
      at("a", "2025-06-01T10:00:00.0000001Z"),
      at("tie-first", "2025-06-01T09:00:00Z"),
      at("b2", "2025-06-01T10:00:00.0000002Z"),
      at("tie-second", "2025-06-01T09:00:00Z"),
    ];
    expect(orderEntries(items, now).ordered.map((i) => i.name)).toEqual([
      "tie-first",
      "tie-second",
      "a",
      "b1",
      "b2",
    ]);
  });

  it("drops entries dated after now and keeps those exactly at now", () => {
    const result = orderEntries(
      [at("future", "2025-06-01T12:00:00.0000001Z"), at("now", "2025-06-01T12:00:00Z")],
      now,
    );
    expect(result.ordered.map((i) => i.name)).toEqual(["now"]);
    expect(result.future.map((i) => i.name)).toEqual(["future"]);
  });
});
