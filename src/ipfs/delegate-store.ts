import type { IpfsStore } from "./store.js";

/**
 * Every method of a store, bound to it: the base for a decorator that changes a few calls
 * (a cache, a byte budget, a counter) and passes the rest through. Spreading a class
 * instance would drop its methods, and listing them by hand in each decorator repeats them.
 */
export function delegateStore(store: IpfsStore): IpfsStore {
  return {
    dagPut: (value, o) => store.dagPut(value, o),
    dagGet: (cid, o) => store.dagGet(cid, o),
    dagGetSized: (cid, o) => store.dagGetSized(cid, o),
    getBlock: (cid, o) => store.getBlock(cid, o),
    exportDag: (root, visit, o) => store.exportDag(root, visit, o),
    prefetchDag: (root, o) => store.prefetchDag(root, o),
    importBlocks: (blocks, o) => store.importBlocks(blocks, o),
    addFile: (bytes, o) => store.addFile(bytes, o),
    catFile: (cid, o) => store.catFile(cid, o),
    fileSize: (cid, o) => store.fileSize(cid, o),
    resolveName: (name, o) => store.resolveName(name, o),
    publishName: (keyName, cid, o) => store.publishName(keyName, cid, o),
    listKeys: (o) => store.listKeys(o),
    generateKey: (name, o) => store.generateKey(name, o),
    importKey: (name, key, o) => store.importKey(name, key, o),
    exportKey: (name, o) => store.exportKey(name, o),
    pin: (cid, o) => store.pin(cid, o),
    pubsubPublish: (topic, data, o) => store.pubsubPublish(topic, data, o),
    pubsubPeers: (topic, o) => store.pubsubPeers(topic, o),
    pubsubSubscribe: (topic, onMessage, o) => store.pubsubSubscribe(topic, onMessage, o),
    id: (o) => store.id(o),
  };
}
