import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NomadPatchError } from "../../../src/errors.js";
import {
  decodeEventStream,
  decodeEventStreamEntry,
  decodeFileUpdateEvent,
  decodeFolderUpdateEvent,
  decodeRoamingSources,
  decodeSourceEventContent,
  decodeValueUpdateEvent,
  parseIpnsName,
  parseTimestamp,
} from "../../../src/nomad/index.js";
import { decodePatchRequest } from "../../../src/patch-request/patch-request-record.js";
import { cidArb, ipldArb, ipnsNameArb, nearRecord, nearTimestampArb, timestampArb } from "./arbitraries.js";

/** Runs a decoder; anything it throws must be one of the project's own errors, with a message. */
function decodesOrRefuses(decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    expect(error).toBeInstanceOf(NomadPatchError);
    expect((error as Error).message.length).toBeGreaterThan(0);
  }
}

const decoders: Record<string, { decode: (value: unknown) => unknown; near: fc.Arbitrary<unknown> }> = {
  EventStreamEntry: {
    decode: (v) => decodeEventStreamEntry(v, "block"),
    near: nearRecord({
      TargetId: ipnsNameArb,
      EventId: fc.string(),
      TimestampUtc: fc.oneof(timestampArb, nearTimestampArb),
      Content: cidArb,
    }),
  },
  EventStream: {
    decode: (v) => decodeEventStream(v, "block"),
    near: nearRecord({ Label: fc.string(), Entries: fc.array(fc.oneof(cidArb, ipldArb), { maxLength: 5 }) }),
  },
  PatchRequest: {
    decode: (v) => decodePatchRequest(v, "block"),
    near: nearRecord({
      Id: ipnsNameArb,
      Target: fc.oneof(ipnsNameArb, fc.string()),
      Base: fc.oneof(cidArb, fc.constant(null)),
      Title: fc.string(),
      Description: fc.string(),
      Entries: fc.array(fc.oneof(cidArb, ipldArb), { maxLength: 5 }),
      Sources: fc.array(fc.oneof(fc.string(), ipldArb), { maxLength: 3 }),
    }),
  },
  ValueUpdateEvent: {
    decode: (v) => decodeValueUpdateEvent(v, "block"),
    near: nearRecord({ Key: fc.option(cidArb), Value: fc.option(cidArb), Unset: fc.boolean() }),
  },
  RoamingSources: {
    decode: (v) => decodeRoamingSources(v, "block"),
    near: nearRecord({ Sources: fc.array(fc.oneof(ipnsNameArb, ipldArb), { maxLength: 3 }) }),
  },
  SourceEventContent: { decode: (v) => decodeSourceEventContent(v, "block"), near: ipnsNameArb },
  FolderUpdateEvent: {
    decode: (v) => decodeFolderUpdateEvent(v, "block"),
    near: nearRecord({
      EventId: fc.constantFrom(
        "CreateFolderInFolderEvent",
        "CreateFileInFolderEvent",
        "DeleteFromFolderEvent",
      ),
      StorableItemId: fc.string(),
      WorkingFolderId: fc.string(),
      StorableItemName: fc.string(),
      Overwrite: fc.boolean(),
    }),
  },
  FileUpdateEvent: {
    decode: (v) => decodeFileUpdateEvent(v, "block"),
    near: nearRecord({ StorableItemId: fc.string(), NewContentId: cidArb }),
  },
};

describe("record decoders on arbitrary IPLD values", () => {
  for (const [name, { decode, near }] of Object.entries(decoders)) {
    it(`${name}: decodes or throws the project's own error, never anything else`, () => {
      fc.assert(
        fc.property(fc.oneof(ipldArb, near), (value) => decodesOrRefuses(() => decode(value))),
        {
          numRuns: 400,
        },
      );
    });
  }

  it("timestamps: any string parses or is refused with a DecodeError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), nearTimestampArb, ipldArb), (text) =>
        decodesOrRefuses(() => parseTimestamp(text)),
      ),
      { numRuns: 1_000 },
    );
  });

  it("IPNS names: any string parses to a base36 name or is refused with a DecodeError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), ipnsNameArb), (text) => {
        try {
          expect(parseIpnsName(text)).toMatch(/^k[0-9a-z]+$/);
        } catch (error) {
          expect(error).toBeInstanceOf(NomadPatchError);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
