import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBlock } from "../../../src/nomad/index.js";
import { type DecodedBlock, openDecodedDagShelf } from "../../../src/service/decoded-dag-shelf.js";
import { fileDamages } from "../../helpers/file-damage.js";

let work: string;
type Held = DecodedBlock & { readonly bytes: Uint8Array };
let root: CID;
let blocks: Held[];
const MAX = 1024 * 1024;

async function held(value: unknown): Promise<Held> {
  const { cid, bytes } = await encodeBlock(value);
  return { cid, bytes, size: bytes.byteLength, value: dagCbor.decode(bytes) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "nomad-patch-decoded-shelf-"));
  const value = await held("Feature 1");
  const event = await held({ Key: null, Value: value.cid, Unset: false });
  const entry = await held({ TargetId: "k51-t", EventId: "AddFeatureAsync", Content: event.cid });
  const record = await held({ Title: "t", Entries: [entry.cid] });
  root = record.cid;
  blocks = [record, entry, event, value];
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const hashOf = (key: string) => createHash("sha256").update(key).digest("hex");
const plain = (list: readonly DecodedBlock[] | undefined) =>
  list?.map(({ cid, size, value }) => ({ cid: cid.toString(), size, value }));

async function shelved(dir: string): Promise<string> {
  const shelf = await openDecodedDagShelf(dir, { maxBytes: MAX });
  shelf.put(root, () => blocks);
  await shelf.flush();
  const [file] = await readdir(dir);
  return join(dir, file as string);
}

async function reopened(dir: string) {
  const reasons: string[] = [];
  const shelf = await openDecodedDagShelf(dir, { maxBytes: MAX, onDiscard: (r) => reasons.push(r) });
  const got = await shelf.get(root);
  return { got, reasons, shelf };
}

/** A well-formed file named by its own CID under the root's key: only the content checks can refuse it. */
async function plant(dir: string, value: unknown): Promise<void> {
  const { cid, bytes } = await encodeBlock(value);
  await writeFile(join(dir, `${hashOf(root.toString())}.${cid}.dag`), bytes);
}

describe("decoded patches on disk", () => {
  it("a restarted process reads back every block as it was kept: CID, size and value", async () => {
    const dir = join(work, "restart");
    await shelved(dir);
    const { got, reasons, shelf } = await reopened(dir);
    expect(plain(got)).toEqual(plain(blocks));
    expect(got?.map((b) => b.value)).toEqual(blocks.map((b) => dagCbor.decode(b.bytes)));
    expect(reasons).toEqual([]);
    expect(shelf.stats()).toMatchObject({ dags: 1, discarded: 0 });
    expect(shelf.has(blocks[1]?.cid as CID)).toBe(false);
  });

  it("takes the blocks and encodes the file only once the event loop has had a turn: the review that kept them answers first", async () => {
    const shelf = await openDecodedDagShelf(join(work, "after-the-answer"), { maxBytes: MAX });
    let taken = 0;
    shelf.put(root, () => {
      taken++;
      return blocks;
    });
    // What follows the put in a review (its checks, the comment rendered, the answer) runs as microtasks.
    for (let i = 0; i < 50; i++) await Promise.resolve();
    expect(taken).toBe(0);
    await shelf.flush();
    expect(taken).toBe(1);
    expect(plain(await shelf.get(root))).toEqual(plain(blocks));
  });

  it("a damaged, cut-short or empty file is never used: it is deleted, and the DAG kept again afterwards", async () => {
    for (const [name, damage] of fileDamages) {
      const dir = join(work, name);
      const file = await shelved(dir);
      await writeFile(file, damage(new Uint8Array(await readFile(file))));
      const { got, reasons, shelf } = await reopened(dir);
      expect(got).toBeUndefined();
      expect(reasons).toEqual([expect.stringMatching(/decoded patch .* do not match its CID/)]);
      expect(await readdir(dir)).toEqual([]);
      shelf.put(root, () => blocks);
      await shelf.flush();
      expect(plain((await reopened(dir)).got)).toEqual(plain(blocks));
    }
  });

  it("a large file swapped for one without end after it was listed is read no further than its listed size", async () => {
    // Two blocks of 700 KB: the file is past the size read at once, so it is read in the thread pool.
    const big = await Promise.all([held("a".repeat(700_000)), held("b".repeat(700_000))]);
    const top = await held({ Title: "big", Entries: big.map((b) => b.cid) });
    const dir = join(work, "endless");
    const bound = 8 * 1024 * 1024;
    const shelf = await openDecodedDagShelf(dir, { maxBytes: bound });
    shelf.put(top.cid, () => [top, ...big]);
    await shelf.flush();
    const [name] = await readdir(dir);
    const file = join(dir, name as string);
    const listed = (await stat(file)).size;
    expect(listed).toBeGreaterThan(1024 * 1024);

    const reasons: string[] = [];
    const again = await openDecodedDagShelf(dir, { maxBytes: bound, onDiscard: (r) => reasons.push(r) });
    // Listed; then someone puts a device that never ends in its place.
    await rm(file);
    await symlink("/dev/zero", file);
    expect(await again.get(top.cid)).toBeUndefined();
    // Read to its listed size and a byte: those zeros are not the file its CID names. Read whole, the
    // device gives bytes until memory or Node's 2 GiB limit ends it.
    expect(reasons).toEqual([expect.stringMatching(/decoded patch .* do not match its CID/)]);
    expect(again.stats()).toMatchObject({ dags: 0, discarded: 1 });
  });

  it("a foreign file, another version's, another DAG's, or one with a bad block is refused, even with its CID right", async () => {
    const good = {
      NomadPatchDecodedDag: 1,
      Key: root.toString(),
      Blocks: blocks.map((b) => [b.cid, b.size, b.value]),
    };
    const dagPb = CID.createV1(0x70, await sha256.digest(new Uint8Array([1])));
    for (const [name, value, reason] of [
      ["foreign", { SomethingElse: true }, /not this shelf's file/],
      ["version", { ...good, NomadPatchDecodedDag: 2 }, /another format/],
      ["other-dag", { ...good, Key: (blocks[1] as Held).cid.toString() }, /another DAG/],
      ["no-root", { ...good, Blocks: good.Blocks.slice(1) }, /root is not among its blocks/],
      ["short-block", { ...good, Blocks: [[root, 10]] }, /not \[CID, size, value\]/],
      ["not-a-cid", { ...good, Blocks: [["bafy", 10, 1]] }, /a block's CID is not a CID/],
      ["not-cbor", { ...good, Blocks: [...good.Blocks, [dagPb, 1, null]] }, /is not DAG-CBOR/],
      ["size-zero", { ...good, Blocks: [[root, 0, {}]] }, /impossible size/],
      ["size-huge", { ...good, Blocks: [[root, 4 * 1024 * 1024, {}]] }, /impossible size/],
    ] as const) {
      const dir = join(work, name);
      await openDecodedDagShelf(dir, { maxBytes: MAX });
      await plant(dir, value);
      const { got, reasons } = await reopened(dir);
      expect(got).toBeUndefined();
      expect(reasons).toEqual([expect.stringMatching(reason)]);
      expect(await readdir(dir)).toEqual([]);
    }
    // The same planted value, well formed, is read: the refusals above are the checks, not the planting.
    const dir = join(work, "planted-good");
    await openDecodedDagShelf(dir, { maxBytes: MAX });
    await plant(dir, good);
    expect(plain((await reopened(dir)).got)).toEqual(plain(blocks));
  });

  it("keeps each block as its own bytes, read back as decoding it gives, and nothing without the root", async () => {
    // A map whose keys are out of DAG-CBOR's order: a decoder accepts it, an encoder writes other bytes.
    const unordered = new Uint8Array([0xa2, 0x62, 0x7a, 0x7a, 0x01, 0x61, 0x61, 0x02]);
    const odd: Held = {
      cid: CID.createV1(dagCbor.code, await sha256.digest(unordered)),
      bytes: unordered,
      size: unordered.byteLength,
      value: dagCbor.decode(unordered),
    };
    // A value changed in memory after it was decoded (a defect elsewhere): the file holds the block.
    const first = blocks[3] as Held;
    const changed: Held = { ...first, value: "not what the block says" };
    const dir = join(work, "canonical");
    const shelf = await openDecodedDagShelf(dir, { maxBytes: MAX });
    shelf.put(root, () => [...blocks.slice(0, 3), changed, odd]);
    await shelf.flush();
    expect(plain(await shelf.get(root))).toEqual(
      plain([...blocks, { cid: odd.cid, size: odd.size, value: dagCbor.decode(unordered) }]),
    );

    const rootless = join(work, "rootless");
    const other = await openDecodedDagShelf(rootless, { maxBytes: MAX });
    other.put(root, () => blocks.slice(1));
    await other.flush();
    expect(await readdir(rootless)).toEqual([]);
  });
});
