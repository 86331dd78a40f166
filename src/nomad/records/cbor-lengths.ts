import type { CID } from "multiformats/cid";

/**
 * The length of a CBOR head carrying `value` (a list's or a map's length, a byte string's, a tag) in its
 * shortest form, as DAG-CBOR requires (RFC 8949 §3: 1, 2, 3, 5 or 9 bytes).
 */
export function cborHeadLength(value: number): number {
  if (value < 24) return 1;
  if (value < 0x100) return 2;
  if (value < 0x10000) return 3;
  if (value < 0x100000000) return 5;
  return 9;
}

/** Tag 42 (0xd8 0x2a). */
const TAG_42_HEAD = 2;

/** The encoded length of a link: tag 42 over a byte string of a 0x00 prefix and the CID's bytes (IPLD DAG-CBOR). */
export function cborLinkLength(cid: CID): number {
  const content = cid.bytes.byteLength + 1;
  return TAG_42_HEAD + cborHeadLength(content) + content;
}
