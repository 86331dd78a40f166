import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { describe, expect, it } from "vitest";
import { type EventStream, encodeBlock, encodeEventStream } from "../../../src/nomad/index.js";
import { grownEventStreamBytes, measureEventStream } from "../../../src/nomad/records/event-stream-size.js";

/** What review-patch.ts computed before: the stream decoded, grown by copies of its last link, encoded. */
function encodedGrown(stream: EventStream, added: number): number {
  const last = stream.entries.at(-1) as CID;
  const grown = { ...stream, entries: [...stream.entries, ...Array<CID>(added).fill(last)] };
  return dagCbor.encode(encodeEventStream(grown)).byteLength;
}

async function streamOf(entries: number, label = "WindowsAppCommunity.Sdk.Project"): Promise<EventStream> {
  const links: CID[] = [];
  for (let i = 0; i < entries; i++) links.push((await encodeBlock({ i })).cid);
  return { label, entries: links };
}

describe("the size of an event stream with entries appended, without encoding it", () => {
  // Lengths on each side of DAG-CBOR's head sizes (24, 256, 65,536 items), and additions that cross them.
  const cases: [number, number[]][] = [
    [1, [0, 1, 22, 23, 24, 300]],
    [23, [0, 1, 2, 250]],
    [24, [1, 231, 232, 233]],
    [255, [1, 2, 1000]],
    [256, [1, 65_279, 65_280, 65_281]],
    [1000, [1, 1000, 64_535, 64_536]],
  ];
  for (const [entries, additions] of cases) {
    it(`${entries} entries`, async () => {
      const stream = await streamOf(entries);
      const size = measureEventStream((await encodeBlock(encodeEventStream(stream))).cid, stream);
      expect(size.entries).toBe(entries);
      expect(size.bytes).toBe(dagCbor.encode(encodeEventStream(stream)).byteLength);
      for (const added of additions)
        expect(grownEventStreamBytes(size, added)).toBe(encodedGrown(stream, added));
    });
  }

  it("counts a last link of another size (a short identity CID, a long label) as its own size", async () => {
    const short = CID.createV1(0x71, identity.digest(new Uint8Array([1, 2, 3])));
    const stream = {
      ...(await streamOf(30, "x".repeat(300))),
      entries: [...(await streamOf(30)).entries, short],
    };
    const size = measureEventStream(short, stream);
    for (const added of [1, 5, 300])
      expect(grownEventStreamBytes(size, added)).toBe(encodedGrown(stream, added));
  });

  it("a stream without entries measures, and has no link to copy", async () => {
    const size = measureEventStream((await encodeBlock({})).cid, { label: "empty", entries: [] });
    expect(size).toMatchObject({ entries: 0, linkBytes: 0 });
    expect(size.bytes).toBe(dagCbor.encode(encodeEventStream({ label: "empty", entries: [] })).byteLength);
  });
});
