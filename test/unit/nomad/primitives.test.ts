import { CID } from "multiformats/cid";
import { describe, expect, it } from "vitest";
import { DecodeError } from "../../../src/errors.js";
import { canonicalJson } from "../../../src/nomad/canonical-json.js";
import { ipldEqual } from "../../../src/nomad/ipld.js";
import { localKeyNameFor, nomadKeyNames } from "../../../src/nomad/key-names.js";
import { createLimiter } from "../../../src/nomad/limiter.js";
import { decodeEventStream } from "../../../src/nomad/records/event-stream.js";
import { decodeEventStreamEntry } from "../../../src/nomad/records/event-stream-entry.js";
import { decodeRoamingSources } from "../../../src/nomad/records/roaming-sources.js";
import { decodeSourceEventContent } from "../../../src/nomad/records/source-events.js";
import { decodeValueUpdateEvent } from "../../../src/nomad/records/value-update-event.js";
import { names } from "./fixtures.js";

const link = CID.parse("bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4");
const good = { TargetId: "t", EventId: "e", TimestampUtc: "2025-06-01T10:00:00Z", Content: link };

describe("hostile shapes are refused with what and where", () => {
  it.each([
    [null, /Expected an EventStreamEntry \(a map\), got null \(at bafyX\)/],
    [[good], /got an array of 1/],
    [link, /got a link/],
    [{ ...good, TargetId: " " }, /non-blank string.*bafyX\/TargetId/],
    [{ ...good, EventId: 7 }, /Expected a string, got number 7 \(at bafyX\/EventId\)/],
    [{ ...good, TimestampUtc: null }, /bafyX\/TimestampUtc/],
    [
      { ...good, Content: link.toString() },
      /Expected a link \{"\/": cid\}, got the string "bafy.*bafyX\/Content/,
    ],
    [{ ...good, Content: { "/": link.toString() } }, /got a map \(at bafyX\/Content\)/],
  ])("entry %#", (value, message) => {
    expect(() => decodeEventStreamEntry(value, "bafyX")).toThrow(DecodeError);
    expect(() => decodeEventStreamEntry(value, "bafyX")).toThrow(message);
  });

  it("streams, value events, source events and roaming sources", () => {
    expect(() => decodeEventStream({ Label: "x", Entries: [link, "bafy"] }, "s")).toThrow(
      /at s\/Entries\[1\]/,
    );
    expect(() => decodeEventStream({ Entries: [] }, "s")).toThrow(/at s\/Label/);
    expect(() => decodeValueUpdateEvent({ Key: null, Value: null }, "v")).toThrow(/true or false.*v\/Unset/);
    expect(decodeValueUpdateEvent({ Unset: true }, "v")).toEqual({ key: null, value: null, unset: true });
    expect(() => decodeSourceEventContent({ name: names.LB }, "c")).toThrow(
      /one IPNS name string, got a map/,
    );
    expect(() =>
      decodeSourceEventContent("bafyreibtmlzhvj7xrepjsxxtoiltfrhcqts5yzvsxb63fqiuw5ned5fef4", "c"),
    ).toThrow(/not a libp2p-key/);
    expect(() => decodeRoamingSources({ Sources: [names.LA, 3] }, "r")).toThrow(/at r\/Sources\[1\]/);
    expect(decodeRoamingSources({}, "r")).toEqual([]);
  });
});

describe("small helpers", () => {
  it("canonical JSON sorts keys and shows links and bytes the DAG-JSON way", () => {
    expect(canonicalJson({ b: [link], a: new Uint8Array([1, 2]), c: null })).toBe(
      `{\n  "a": {\n    "/": {\n      "bytes": "AQI"\n    }\n  },\n  "b": [\n    {\n      "/": "${link}"\n    }\n  ],\n  "c": null\n}`,
    );
  });

  it("ipldEqual compares links by CID and maps regardless of key order", () => {
    expect(ipldEqual({ a: CID.parse(link.toString()), b: [1] }, { b: [1], a: link })).toBe(true);
    expect(ipldEqual({ a: link }, { a: link.toString() })).toBe(false);
    expect(ipldEqual([1, 2], [1])).toBe(false);
  });

  it("key names follow the {prefix}.Local/Roaming.{name} convention", () => {
    expect(nomadKeyNames("Nomad.Kubo.Storage", "Docs")).toEqual({
      local: "Nomad.Kubo.Storage.Local.Docs",
      roaming: "Nomad.Kubo.Storage.Roaming.Docs",
    });
    expect(nomadKeyNames("Nomad.Kubo.PeerSwarm")).toEqual({
      local: "Nomad.Kubo.PeerSwarm.Local",
      roaming: "Nomad.Kubo.PeerSwarm.Roaming",
    });
    expect(localKeyNameFor("WindowsAppCommunity.Sdk.Project.Roaming.my-app")).toBe(
      "WindowsAppCommunity.Sdk.Project.Local.my-app",
    );
    expect(localKeyNameFor("self")).toBeUndefined();
  });

  it("the limiter never exceeds its bound, even when slots are handed over", async () => {
    const limit = createLimiter(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limit(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, i % 3));
          running--;
          order.push(i);
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toHaveLength(12);
    expect(() => createLimiter(0)).toThrow(/at least 1/);
  });
});
