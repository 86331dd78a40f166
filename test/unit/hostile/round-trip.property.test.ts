import * as dagCbor from "@ipld/dag-cbor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeEventStream,
  decodeEventStreamEntry,
  decodeValueUpdateEvent,
  encodeEventStream,
  encodeEventStreamEntry,
  encodeValueUpdateEvent,
  formatTimestamp,
  parseTimestamp,
} from "../../../src/nomad/index.js";
import {
  decodePatchRequest,
  encodePatchRequest,
  type PatchRequestRecord,
} from "../../../src/patch-request/patch-request-record.js";
import { cidArb, ipnsNameArb, ticksArb } from "./arbitraries.js";

/** Through the bytes, as a block travels: encode, DAG-CBOR, decode. */
function viaCbor(value: unknown): unknown {
  return dagCbor.decode(dagCbor.encode(value));
}

const nonBlank = fc.string({ minLength: 1 }).filter((s) => s.trim() !== "");

describe("decode ∘ encode is the identity on valid records", () => {
  it("timestamps: parse ∘ format keeps every tick from year 0001 to 9999, and format ∘ parse the text", () => {
    fc.assert(
      fc.property(ticksArb, (ticks) => {
        const text = formatTimestamp(ticks);
        expect(parseTimestamp(text)).toBe(ticks);
        expect(formatTimestamp(parseTimestamp(text))).toBe(text);
      }),
      { numRuns: 2_000 },
    );
  });

  it("EventStreamEntry, byte for byte", () => {
    fc.assert(
      fc.property(nonBlank, nonBlank, ticksArb, cidArb, (targetId, eventId, ticks, content) => {
        const entry = { targetId, eventId, timestampUtc: formatTimestamp(ticks), content };
        const decoded = decodeEventStreamEntry(viaCbor(encodeEventStreamEntry(entry)), "entry");
        expect({ ...decoded, content: decoded.content.toString() }).toEqual({
          ...entry,
          content: content.toString(),
          ticks,
          timestampForm: "utc",
        });
        expect(dagCbor.encode(encodeEventStreamEntry(decoded))).toEqual(
          dagCbor.encode(encodeEventStreamEntry(entry)),
        );
      }),
    );
  });

  it("EventStream", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(cidArb, { maxLength: 20 }), (label, entries) => {
        const decoded = decodeEventStream(viaCbor(encodeEventStream({ label, entries })), "stream");
        expect(decoded.label).toBe(label);
        expect(decoded.entries.map(String)).toEqual(entries.map(String));
      }),
    );
  });

  it("ValueUpdateEvent", () => {
    fc.assert(
      fc.property(fc.option(cidArb), fc.option(cidArb), fc.boolean(), (key, value, unset) => {
        const decoded = decodeValueUpdateEvent(viaCbor(encodeValueUpdateEvent({ key, value, unset })), "c");
        expect([decoded.key?.toString(), decoded.value?.toString(), decoded.unset]).toEqual([
          key?.toString(),
          value?.toString(),
          unset,
        ]);
      }),
    );
  });

  it("PatchRequest", () => {
    fc.assert(
      fc.property(
        fc.record({
          id: ipnsNameArb,
          target: ipnsNameArb,
          base: fc.option(cidArb),
          title: fc.string(),
          description: fc.string(),
          entries: fc.array(cidArb, { maxLength: 20 }),
          sources: fc.array(fc.string(), { maxLength: 3 }),
        }),
        (record) => {
          const decoded = decodePatchRequest(viaCbor(encodePatchRequest(record)), "patch");
          const plain = (r: PatchRequestRecord) => ({
            ...r,
            base: r.base?.toString() ?? null,
            entries: r.entries.map(String),
          });
          expect(plain(decoded)).toEqual(plain(record));
        },
      ),
    );
  });
});
