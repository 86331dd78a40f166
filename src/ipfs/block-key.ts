import { CID } from "multiformats/cid";

/**
 * A block's key in the caches and the byte budget: its CID's bytes, one character per byte. A CID's
 * base32 string is built a character at a time in JavaScript and hashed again by every map it meets;
 * this one is made natively and flat, and a review makes two or more per block (tens of thousands in a
 * cold review, docs/benchmarks.md). Not for showing: `cidOfKey` gives the CID back.
 */
export function blockKey(cid: CID): string {
  const bytes = cid.bytes;
  // A CID is a few dozen bytes: built in JavaScript, its string costs less than a Buffer view and the
  // native `toString("latin1")`, which give the same string (one character per byte). An identity CID can
  // be long, and `apply` takes its bytes as arguments: those take the native way.
  if (bytes.byteLength <= 256) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The CID a key was made from (for messages). */
export function cidOfKey(key: string): CID {
  return CID.decode(new Uint8Array(Buffer.from(key, "latin1")));
}
