import type { CID } from "multiformats/cid";
import type { IpfsStore, PublishOptions } from "../../../src/ipfs/store.js";

/** Anything with a `store` is a node (a `KuboNode` from `../kubo.js`). */
export interface NodeLike {
  readonly store: IpfsStore;
}

/** Tests run on private loopback swarms: publish even when the DHT has nobody else to tell. */
export const testPublish: PublishOptions = { allowOffline: true };

export interface BuiltTarget {
  /** The roaming key id: the target's identity. */
  readonly id: string;
  /** The operator device's local key id (the one source). */
  readonly localId: string;
  readonly keyNames: { readonly local: string; readonly roaming: string };
  /** The published roaming value after the builder's entries. */
  readonly roamingCid: CID;
}
