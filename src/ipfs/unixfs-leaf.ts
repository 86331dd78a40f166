import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { type Block, varint } from "./car.js";

/** Kubo's default chunk: a file up to this size is one dag-pb block with no links. */
export const SINGLE_BLOCK_FILE_BYTES = 256 * 1024;

/**
 * The block `ipfs add` writes for a small file with Kubo's defaults (CIDv0, dag-pb leaves, 256 KiB
 * chunks): a PBNode whose Data is a UnixFS File message holding the bytes and their size, no links.
 * Lets a caller know a file's CID before any request (is it what the target has already?) and write
 * many files in one CAR. Undefined for a file of more than one chunk. A CID computed here is only ever
 * compared with or stored as a CID: if Kubo's defaults changed, a mismatch costs an `add`, never a
 * wrong answer.
 */
export async function unixFsLeaf(bytes: Uint8Array): Promise<Block | undefined> {
  if (bytes.byteLength > SINGLE_BLOCK_FILE_BYTES) return undefined;
  // UnixFS Data: Type = File (field 1, varint 2); Data (field 2, bytes) when not empty; filesize (field 3).
  const unixfs = concat([
    Uint8Array.of(0x08, 0x02),
    bytes.byteLength > 0 ? concat([Uint8Array.of(0x12), varint(bytes.byteLength), bytes]) : new Uint8Array(),
    Uint8Array.of(0x18),
    varint(bytes.byteLength),
  ]);
  // PBNode: Data (field 1, bytes); no Links.
  const node = concat([Uint8Array.of(0x0a), varint(unixfs.byteLength), unixfs]);
  return { cid: CID.createV0(await sha256.digest(node)), bytes: node };
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
