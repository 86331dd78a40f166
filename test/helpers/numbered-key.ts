import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";

/**
 * An IPNS key of its own for each `i`, as people paste them (`k51…`): an Ed25519 public key, protobuf
 * wrapped, in a libp2p-key CID. Nothing is published under it: a flood's keys, made without a daemon.
 */
export function numberedKey(i: number): string {
  const key = new Uint8Array(36);
  key.set([8, 1, 18, 32]);
  new DataView(key.buffer).setUint32(32, i);
  return CID.createV1(0x72, identity.digest(key)).toString(base36);
}
