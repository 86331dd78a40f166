import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";

/** Kubo refuses blocks over 2 MiB from peers (bitswap) and on put, so no honest Nomad block is larger. */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;

/** A DAG-CBOR block as Kubo stores Nomad data: CIDv1, codec 0x71, sha2-256. */
export interface EncodedBlock {
  readonly cid: CID;
  readonly bytes: Uint8Array;
}

/** Encode a value exactly as `dag put --store-codec dag-cbor` would, so its CID is known before any I/O. */
export async function encodeBlock(value: unknown): Promise<EncodedBlock> {
  const bytes = dagCbor.encode(value);
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes };
}
