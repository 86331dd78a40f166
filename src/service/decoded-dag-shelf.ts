import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { MAX_BLOCK_BYTES } from "../nomad/index.js";
import { cborHeadLength, cborLinkLength } from "../nomad/records/cbor-lengths.js";
import { asMap, type CheckedShelf, cid, list, num, openCheckedShelf } from "./checked-shelf.js";

/** A block as a review read it: its CID, its size in bytes, and its value decoded. */
export interface DecodedBlock {
  readonly cid: CID;
  readonly size: number;
  readonly value: unknown;
}

/**
 * The decoded blocks of a patch request's DAG, kept on disk (`decoded/`) by the DAG's root CID, so that
 * the first review after a restart takes them from one checked file instead of reading 3,000 blocks
 * back, hashing and decoding each (docs/decisions.md, "A patch's decoded blocks are kept on disk").
 * A DAG is immutable under its root, so what its blocks decode to never changes. Each value is written as
 * the very bytes that were hash-checked against the CID (so the value read back is the one a decoding of
 * the block gives); read back through `checked-shelf.ts`: the file's
 * bytes match the CID in its name, and it carries this shelf's mark, format and the root asked for.
 */
export interface DecodedDagShelf {
  has(root: CID): boolean;
  get(root: CID): Promise<readonly DecodedBlock[] | undefined>;
  /**
   * Keep the blocks of the DAG under `root` (the root among them), each with the bytes it was decoded
   * from: `blocks` gives them when the file is written (after the review that put it has answered), so
   * finding them (a walk of up to 50,000 blocks) is not the review's work either.
   */
  put(root: CID, blocks: () => readonly (DecodedBlock & { readonly bytes: Uint8Array })[]): void;
  flush(): Promise<void>;
  stats(): { readonly dags: number; readonly bytes: number; readonly discarded: number };
}

const MARK = "NomadPatchDecodedDag";
const FORMAT = 1;

export async function openDecodedDagShelf(
  dir: string,
  options: { readonly maxBytes: number; readonly onDiscard?: (reason: string) => void },
): Promise<DecodedDagShelf> {
  // Blocks are put with the bytes they were decoded from and read back without them. The file is written
  // in turn with the other writes, after the review that put it has answered.
  const shelf: CheckedShelf<
    readonly DecodedBlock[],
    () => readonly (DecodedBlock & { readonly bytes?: Uint8Array })[]
  > = await openCheckedShelf(dir, {
    ...options,
    suffix: "dag",
    what: "decoded patch",
    encode: (blocks, key) => {
      const kept = blocks().filter(hasItsBytes);
      // Without its root the DAG could not be found again whole; nothing is kept.
      if (!kept.some((b) => b.cid.toString() === key)) return undefined;
      return encodeDecodedDag(key, kept);
    },
    decode: decodeBlocks,
  });
  return {
    has: (root) => shelf.has(root.toString()),
    get: (root) => shelf.get(root.toString()),
    put: (root, blocks) => shelf.put(root.toString(), blocks),
    flush: () => shelf.flush(),
    stats: () => {
      const { items, ...rest } = shelf.stats();
      return { dags: items, ...rest };
    },
  };
}

/** A DAG-CBOR block held with the bytes it was hash-checked and decoded from (a whole CBOR item). */
function hasItsBytes(
  block: DecodedBlock & { readonly bytes?: Uint8Array },
): block is DecodedBlock & { readonly bytes: Uint8Array } {
  return (
    block.cid.code === dagCbor.code &&
    block.bytes !== undefined &&
    block.size === block.bytes.byteLength &&
    block.size > 0
  );
}

/**
 * The file `{ NomadPatchDecodedDag: 1, Key: key, Blocks: [[CID, size, value], …] }` in DAG-CBOR, with each
 * value written as its block's own bytes, not encoded again from the decoded value: what the file gives back
 * is what decoding the block gives (CBOR items decode alike alone or nested), with no second encoding of
 * 3,000 values and of the whole file after every patch reviewed (docs/benchmarks.md, target 1). For blocks
 * in DAG-CBOR's own form (every block Nomad writes), the bytes are exactly `dagCbor.encode` of that value;
 * a block a decoder accepts in another form (map keys out of order) is kept as it is, as decoding it gives.
 */
export function encodeDecodedDag(
  key: string,
  blocks: readonly { readonly cid: CID; readonly bytes: Uint8Array }[],
): Uint8Array {
  const keyText = new TextEncoder().encode(key);
  // DAG-CBOR orders a map's keys by their length, then bytewise: Key (3), Blocks (6), then the mark (20).
  const head = [
    ...cborHead(MAJOR_MAP, 3),
    ...cborText("Key"),
    ...cborHead(MAJOR_TEXT, keyText.byteLength),
    ...keyText,
    ...cborText("Blocks"),
    ...cborHead(MAJOR_ARRAY, blocks.length),
  ];
  const tail = [...cborText(MARK), ...cborHead(MAJOR_UINT, FORMAT)];
  let total = head.length + tail.length;
  for (const { cid, bytes } of blocks) total += blockItemLength(cid, bytes);
  const out = new Uint8Array(total);
  out.set(head, 0);
  let at = head.length;
  for (const { cid, bytes } of blocks) {
    at = writeHead(out, at, MAJOR_ARRAY, 3);
    // A link is tag 42 over a byte string: a 0x00 byte, then the CID's bytes.
    out[at++] = 0xd8;
    out[at++] = CID_TAG;
    at = writeHead(out, at, MAJOR_BYTES, cid.bytes.byteLength + 1);
    out[at++] = 0;
    out.set(cid.bytes, at);
    at += cid.bytes.byteLength;
    at = writeHead(out, at, MAJOR_UINT, bytes.byteLength);
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  out.set(tail, at);
  return out;
}

const MAJOR_UINT = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const CID_TAG = 42;

function blockItemLength(cid: CID, bytes: Uint8Array): number {
  const link = cborLinkLength(cid);
  return 1 + link + cborHeadLength(bytes.byteLength) + bytes.byteLength;
}

function writeHead(out: Uint8Array, at: number, major: number, value: number): number {
  const length = cborHeadLength(value);
  const type = major << 5;
  if (length === 1) {
    out[at] = type | value;
    return at + 1;
  }
  out[at] = type | [0, 0, 24, 25, 0, 26, 0, 0, 0, 27][length]!;
  // Big-endian, the head's length less its first byte.
  let rest = value;
  for (let i = length - 1; i >= 1; i--) {
    out[at + i] = rest % 0x100;
    rest = Math.floor(rest / 0x100);
  }
  return at + length;
}

function cborHead(major: number, value: number): Uint8Array {
  const out = new Uint8Array(cborHeadLength(value));
  writeHead(out, 0, major, value);
  return out;
}

function cborText(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(cborHeadLength(bytes.byteLength) + bytes.byteLength);
  out.set(bytes, writeHead(out, 0, MAJOR_TEXT, bytes.byteLength));
  return out;
}

/** The file's value as the DAG under `key`, every block's fields checked: anything else throws. */
function decodeBlocks(value: unknown, key: string): readonly DecodedBlock[] {
  const map = asMap(value, "the file");
  if (map[MARK] !== FORMAT) throw new Error("not this shelf's file, or another format");
  if (map.Key !== key) throw new Error("the blocks of another DAG");
  const blocks = list(map.Blocks, "Blocks").map((item) => {
    const fields = list(item, "a block");
    if (fields.length !== 3) throw new Error("a block is not [CID, size, value]");
    const block = cid(fields[0], "a block's CID");
    if (block.code !== dagCbor.code) throw new Error(`block ${block} is not DAG-CBOR`);
    const size = num(fields[1], "a block's size");
    if (size === 0 || size > MAX_BLOCK_BYTES) throw new Error(`block ${block} has an impossible size`);
    return { cid: block, size, value: fields[2] };
  });
  if (!blocks.some((b) => b.cid.toString() === key))
    throw new Error("the DAG's root is not among its blocks");
  return blocks;
}
