import { CID } from "multiformats/cid";

/**
 * A block's key in the caches and the byte budget: its CID's bytes, one character per byte. A CID's
 * base32 string is built a character at a time in JavaScript and hashed again by every map it meets;
 * this one is made natively and flat, and a review makes two or more per block (tens of thousands in a
 * cold review, docs/benchmarks.md). Not for showing: `cidOfKey` gives the CID back.
 */
export function blockKey(cid: CID): string {
  const bytes = cid.bytes;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The CID a key was made from (for messages). */
export function cidOfKey(key: string): CID {
  return CID.decode(new Uint8Array(Buffer.from(key, "latin1")));
}
