import type { CID } from "multiformats/cid";
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
      dagPut: (value, o) => store.dagPut(value, o),
      dagGet: (cid, o) => store.dagGet(note(cid), o),
      getBlock: (cid, o) => store.getBlock(note(cid), o),
      addFile: (bytes, o) => store.addFile(bytes, o),
      catFile: (cid, o) => store.catFile(note(cid), o),
      resolveName: (name, o) => store.resolveName(name, o),
      publishName: (keyName, cid, o) => store.publishName(keyName, cid, o),
      listKeys: (o) => store.listKeys(o),
      generateKey: (name, o) => store.generateKey(name, o),
      importKey: (name, key, o) => store.importKey(name, key, o),
      exportKey: (name, o) => store.exportKey(name, o),
      pin: (cid, o) => store.pin(cid, o),
      id: (o) => store.id(o),
    },
  };
}
