import { hash } from "node:crypto";
import * as dagCbor from "@ipld/dag-cbor";
import * as dagJson from "@ipld/dag-json";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { identity } from "multiformats/hashes/identity";
import { sha256 } from "multiformats/hashes/sha2";
import { DecodeError } from "../errors.js";
import { decodeDagCbor } from "./cid-decoding.js";
import type { DagCodecName } from "./store.js";

/** Codes of the codecs nomad-patch decodes locally (everything Nomad writes is DAG-CBOR). */
const decoders = new Map<number, (bytes: Uint8Array) => unknown>([
  // DAG-CBOR as `dagCbor.decode`, its links read without multiformats' general path (cid-decoding.ts).
  [dagCbor.code, decodeDagCbor],
  [dagJson.code, (bytes) => dagJson.decode(bytes)],
  [raw.code, (bytes) => raw.decode(bytes)],
]);

/** Encodes a value with a DAG codec and computes its CIDv1 (sha2-256), as Kubo's `dag put` would. */
export async function encodeBlock(
  value: unknown,
  codec: DagCodecName = "dag-cbor",
): Promise<{ cid: CID; bytes: Uint8Array }> {
  const impl = codec === "dag-cbor" ? dagCbor : dagJson;
  let bytes: Uint8Array;
  try {
    bytes = impl.encode(value);
  } catch (error) {
    throw new DecodeError(`cannot encode value as ${codec}: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  return { cid: CID.createV1(impl.code, await sha256.digest(bytes)), bytes };
}

/**
 * Checks that `bytes` hash to `cid`: a node we do not control (or a man in the middle
 * of the RPC connection) must not be able to hand us other data under a trusted CID.
 * Synchronous: an export hashes tens of thousands of blocks, and a promise (and a multihash
 * object) per block cost more than the hash itself; `crypto.hash` (Node 20.12 and later) also spares
 * the Hash object per block.
 */
export function verifyBlock(cid: CID, bytes: Uint8Array): void {
  const { code, digest } = cid.multihash;
  let actual: Uint8Array;
  // One call, no Hash object: half the cost of createHash for blocks of a few hundred bytes.
  if (code === sha256.code) actual = hash("sha256", bytes, "buffer");
  else if (code === identity.code) actual = bytes;
  else return; // other hash functions: Kubo has already verified them on receipt
  if (!equalBytes(actual, digest)) {
    throw new DecodeError(`block does not match its CID (hash mismatch)`, cid.toString());
  }
}

/** Decodes one block by the codec its CID names; anything else is a clear refusal. */
export function decodeBlock(cid: CID, bytes: Uint8Array): unknown {
  const decode = decoders.get(cid.code);
  if (!decode) {
    throw new DecodeError(
      `unsupported codec 0x${cid.code.toString(16)}: expected dag-cbor, dag-json or raw`,
      cid.toString(),
    );
  }
  try {
    return decode(bytes);
  } catch (error) {
    throw new DecodeError(`not a valid block for its codec: ${(error as Error).message}`, cid.toString(), {
      cause: error,
    });
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
