import * as dagCbor from "@ipld/dag-cbor";
import { decode as decodeCbor } from "cborg";
import { CID } from "multiformats/cid";
import { Digest } from "multiformats/hashes/digest";

/**
 * CIDs read from bytes without multiformats' general path, for the one shape nearly every block of a
 * review has: a CIDv1 of a codec below 0x80 (DAG-CBOR, dag-pb, raw, dag-json) over a sha2-256 digest. A
 * cold review reads one CID per CAR section and one per link (about 10,000 for 1,000 entries over 1,000
 * of history); `CID.decodeFirst` decodes four varints through a sub-array each, checks every array it
 * is given and encodes the CID's bytes again, which made the CID objects a large part of decoding a block
 * (docs/benchmarks.md, target 1). Anything else takes multiformats' own path, so every CID, well formed
 * or not, comes out (or is refused) exactly as it would have been.
 */
const V1 = 0x01;
const SHA2_256 = 0x12;
const SHA2_256_LENGTH = 32;
/** Version, codec, hash function and digest length: one byte each in the common shape. */
const PREFIX = 4;
const COMMON_LENGTH = PREFIX + SHA2_256_LENGTH;

function isCommon(bytes: Uint8Array, at: number): boolean {
  return (
    bytes.length - at >= COMMON_LENGTH &&
    bytes[at] === V1 &&
    (bytes[at + 1] as number) < 0x80 &&
    bytes[at + 2] === SHA2_256 &&
    bytes[at + 3] === SHA2_256_LENGTH
  );
}

/** A CID over `own` (exactly its 36 bytes, which nothing else holds). */
function commonCid(own: Uint8Array): CID {
  const digest = new Digest(SHA2_256, SHA2_256_LENGTH, own.subarray(PREFIX), own.subarray(2));
  return new CID(V1, own[1] as number, digest, own) as CID;
}

/**
 * The CID at the start of `bytes` and what follows it, as `CID.decodeFirst`. The CID's bytes are a copy,
 * so it does not keep the buffer it was read from (a network chunk) alive.
 */
export function decodeCidFirst(bytes: Uint8Array): [CID, Uint8Array] {
  if (!isCommon(bytes, 0)) return CID.decodeFirst(bytes) as [CID, Uint8Array];
  return [commonCid(bytes.slice(0, COMMON_LENGTH)), bytes.subarray(COMMON_LENGTH)];
}

/**
 * DAG-CBOR's tag 42 (a link: a 0x00 byte, then the CID's bytes), as `@ipld/dag-cbor` decodes it, with the
 * common shape read directly. The tag's bytes are the decoder's own copy, so the CID may keep them.
 */
function linkFromTag(decode: () => unknown): CID {
  const bytes = decode() as Uint8Array;
  if (
    bytes instanceof Uint8Array &&
    bytes.length === 1 + COMMON_LENGTH &&
    bytes[0] === 0 &&
    isCommon(bytes, 1)
  )
    return commonCid(bytes.subarray(1));
  if (bytes[0] !== 0) throw new Error("Invalid CID for CBOR tag 42; expected leading 0x00");
  return CID.decode(bytes.subarray(1)) as CID;
}

const CID_TAG = 42;
/** DAG-CBOR's own decoding options (strict, no duplicate keys, no undefined…), with the link read above. */
const options = { ...dagCbor.decodeOptions, tags: { ...dagCbor.decodeOptions.tags, [CID_TAG]: linkFromTag } };

/** Decodes a DAG-CBOR block as `dagCbor.decode` does. */
export function decodeDagCbor(bytes: Uint8Array): unknown {
  return decodeCbor(bytes, options);
}
