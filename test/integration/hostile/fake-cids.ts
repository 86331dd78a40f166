import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";

/** `count` distinct, well-formed DAG-CBOR CIDs of blocks that exist nowhere. */
export function fakeCids(count: number): CID[] {
  return Array.from({ length: count }, (_, i) => {
    const digest = new Uint8Array(32);
    new DataView(digest.buffer).setUint32(0, i);
    digest[31] = 0x5a;
    return CID.createV1(0x71, Digest.create(0x12, digest));
  });
}
