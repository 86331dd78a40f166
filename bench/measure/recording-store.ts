import type { CID } from "multiformats/cid";
import { delegateStore } from "../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../src/ipfs/store.js";

export interface Recording {
  /** Names resolved, in first-asked order. */
  readonly names: string[];
  /** Blocks read (dag get or raw), in first-asked order, each once. */
  readonly blocks: CID[];
}

/**
 * A pass-through store that notes every name and block a review asks for, so the baselines can
 * fetch exactly the same things afterwards.
 */
export function recordingStore(store: IpfsStore): { store: IpfsStore; recording: Recording } {
  const recording: Recording = { names: [], blocks: [] };
  const seenNames = new Set<string>();
  const seenBlocks = new Set<string>();
  const noteBlock = (cid: CID): CID => {
    const key = cid.toString();
    if (!seenBlocks.has(key)) {
      seenBlocks.add(key);
      recording.blocks.push(cid);
    }
    return cid;
  };
  return {
    recording,
    store: {
      ...delegateStore(store),
      dagGet: (cid, o) => store.dagGet(noteBlock(cid), o),
      dagGetSized: (cid, o) => store.dagGetSized(noteBlock(cid), o),
      getBlock: (cid, o) => store.getBlock(noteBlock(cid), o),
      catFile: (cid, o) => store.catFile(noteBlock(cid), o),
      resolveName: (name, o) => {
        if (!seenNames.has(name)) {
          seenNames.add(name);
          recording.names.push(name);
        }
        return store.resolveName(name, o);
      },
    },
  };
}
