import type { CID } from "multiformats/cid";
import { delegateStore } from "../../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";

/** A pass-through store that counts block reads per CID, so a test can assert how much work was done. */
export function countingStore(store: IpfsStore): { store: IpfsStore; reads: (cid?: CID) => number } {
  const counts = new Map<string, number>();
  const note = (cid: CID): CID => {
    counts.set(cid.toString(), (counts.get(cid.toString()) ?? 0) + 1);
    return cid;
  };
  return {
    reads: (cid) =>
      cid ? (counts.get(cid.toString()) ?? 0) : [...counts.values()].reduce((a, b) => a + b, 0),
    store: {
      ...delegateStore(store),
      dagGet: (cid, o) => store.dagGet(note(cid), o),
      dagGetSized: (cid, o) => store.dagGetSized(note(cid), o),
      getBlock: (cid, o) => store.getBlock(note(cid), o),
      catFile: (cid, o) => store.catFile(note(cid), o),
    },
  };
}
