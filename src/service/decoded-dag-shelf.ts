import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";
import { MAX_BLOCK_BYTES } from "../nomad/index.js";
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
 * A DAG is immutable under its root, so what its blocks decode to never changes. Written only with
 * blocks whose value encodes back to the very bytes that were hash-checked against the CID (so the value
 * read back is the one a decoding of the block gives); read back through `checked-shelf.ts`: the file's
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
  // Blocks are put with the bytes they were decoded from and read back without them. Which of them are
  // kept is decided when the file is written, in turn with the other writes: re-encoding every value to
  // compare it is not the review's work.
  const shelf: CheckedShelf<
    readonly DecodedBlock[],
    () => readonly (DecodedBlock & { readonly bytes?: Uint8Array })[]
  > = await openCheckedShelf(dir, {
    ...options,
    suffix: "dag",
    what: "decoded patch",
    encode: (blocks, key) => {
      const kept = blocks().filter(encodesBack);
      // Without its root the DAG could not be found again whole; nothing is kept.
      if (!kept.some((b) => b.cid.toString() === key)) return undefined;
      return { [MARK]: FORMAT, Key: key, Blocks: kept.map((b) => [b.cid, b.size, b.value]) };
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

/**
 * A DAG-CBOR block whose value encodes to its own bytes: decoding the value written to the shelf gives
 * what decoding the block gives. A block encoded otherwise (a map's keys out of order, which a decoder
 * accepts) is left out, and read as a block when it is needed.
 */
function encodesBack(block: DecodedBlock & { readonly bytes?: Uint8Array }): boolean {
  if (block.cid.code !== dagCbor.code || block.bytes === undefined || block.size !== block.bytes.byteLength)
    return false;
  try {
    return Buffer.from(dagCbor.encode(block.value)).equals(block.bytes);
  } catch {
    return false;
  }
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
