import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import * as dagJson from "@ipld/dag-json";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecodeError } from "../../../src/errors.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { countingStore } from "../faults/counting-store.js";
import { faultLimits } from "../faults/patch-setup.js";
import { publishBlockUnderKey } from "./publish-raw.js";

const encoder = new TextEncoder();

/**
 * What a stranger can put behind a posted key instead of a patch request: random bytes, the wrong codec,
 * the wrong shape. Each review ends in a DecodeError naming the block, having read that one block only,
 * and an apply of it writes nothing.
 */
describe("random bytes and wrong codecs behind a key", () => {
  let node: KuboNode;
  let dataDir: string;
  beforeAll(async () => {
    node = await startKubo();
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-codecs-"));
  });
  afterAll(async () => {
    await node?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const cases: {
    name: string;
    bytes: () => Uint8Array;
    format: "raw" | "dag-cbor" | "dag-json" | "dag-pb";
    message: RegExp;
  }[] = [
    {
      name: "a raw block of text",
      bytes: () => encoder.encode("not a patch"),
      format: "raw",
      message: /got 11 bytes/,
    },
    {
      name: "DAG-JSON of another shape",
      bytes: () => dagJson.encode({ hello: "world" }),
      format: "dag-json",
      message: /Expected an array, got nothing \(at .*\/Entries\)/,
    },
    {
      name: "a DAG-PB (UnixFS) node",
      bytes: () => new Uint8Array([0x0a, 0x02, 0x08, 0x01]),
      format: "dag-pb",
      message: /unsupported codec 0x70: expected dag-cbor, dag-json or raw/,
    },
    {
      name: "bytes that are not CBOR, labelled DAG-CBOR",
      bytes: () => new Uint8Array([0xff, 0xfe, 0x00, 0x1c]),
      format: "dag-cbor",
      message: /not a valid block for its codec/,
    },
    {
      name: "a DAG-CBOR string where a map belongs",
      bytes: () => dagCbor.encode("k51qzi5uqu5dh0b977vhvmrl8f8xivun0fojxria3arhf8dnmf6ekbjvq60dap"),
      format: "dag-cbor",
      message: /Expected a PatchRequest roaming value \(a map\), got the string/,
    },
    {
      name: "a patch request whose Entries is a string",
      bytes: () =>
        dagCbor.encode({
          Id: "x",
          Target: "y",
          Base: null,
          Title: "",
          Description: "",
          Entries: "all",
          Sources: [],
        }),
      format: "dag-cbor",
      message: /Expected an array, got the string "all" \(at .*\/Entries\)/,
    },
  ];

  for (const [i, { name, bytes, format, message }] of cases.entries()) {
    it(`${name}: refused with a DecodeError after reading one block, nothing applied`, async () => {
      const published = await publishBlockUnderKey(node, `codec-${i}`, bytes(), format);
      const counted = countingStore(node.store);
      const error = await reviewPatch(
        { store: counted.store },
        { key: published.key, limits: faultLimits },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DecodeError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(published.cid.toString());
      expect(counted.reads()).toBe(1);

      const journal = await openFileJournal(join(dataDir, `codec-${i}`));
      const applied = await applyPatch(
        { store: node.store, journal },
        {
          key: published.key,
          expectPatchCid: published.cid.toString(),
          expectResultCid: "x",
          limits: faultLimits,
        },
      ).catch((e: unknown) => e);
      expect(applied).toBeInstanceOf(DecodeError);
      expect(await readdir(join(dataDir, `codec-${i}`, "journal"))).toEqual([]);
    });
  }

  it("random bytes under each codec: always a DecodeError, one block read", async () => {
    const samples = fc.sample(
      fc.tuple(
        fc.uint8Array({ minLength: 0, maxLength: 512 }),
        fc.constantFrom("raw", "dag-cbor", "dag-json"),
      ),
      { numRuns: 12, seed: 6 },
    );
    for (const [i, [bytes, format]] of samples.entries()) {
      const published = await publishBlockUnderKey(node, `random-${i}`, bytes, format as "raw");
      const counted = countingStore(node.store);
      const error = await reviewPatch(
        { store: counted.store },
        { key: published.key, limits: faultLimits },
      ).catch((e: unknown) => e);
      expect(error, `${format} of ${bytes.length} bytes`).toBeInstanceOf(DecodeError);
      expect(counted.reads()).toBe(1);
    }
  });
});
