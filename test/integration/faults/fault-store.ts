import type { IpfsStore } from "../../../src/ipfs/store.js";

type Method = keyof IpfsStore;

export interface FaultPoint {
  /** The store method whose call triggers the fault. */
  readonly method: Method;
  /** Which call of that method (1 = the first) triggers it; calls with other arguments do not count. */
  readonly nth: number;
  /** Only calls whose first argument matches count (e.g. the roaming key's name). */
  readonly when?: (firstArg: unknown) => boolean;
}

/**
 * A store that runs `fault` (e.g. SIGKILL the daemon) just before a chosen call reaches the node,
 * then lets the call go through, so the caller meets the fault exactly where it would in production.
 */
export function withFault(store: IpfsStore, point: FaultPoint, fault: () => Promise<void>): IpfsStore {
  let seen = 0;
  const wrapped = {} as Record<Method, (...args: unknown[]) => Promise<unknown>>;
  for (const method of Object.keys(methods) as Method[]) {
    const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
    wrapped[method] = async (...args: unknown[]) => {
      if (method === point.method && (point.when?.(args[0]) ?? true)) {
        seen++;
        if (seen === point.nth) await fault();
      }
      return original(...args);
    };
  }
  return wrapped as unknown as IpfsStore;
}

/** Every method of the port, so the wrapper forwards all of them (a class instance does not spread). */
const methods: Record<Method, true> = {
  dagPut: true,
  dagGet: true,
  dagGetSized: true,
  getBlock: true,
  exportDag: true,
  prefetchDag: true,
  importBlocks: true,
  addFile: true,
  catFile: true,
  fileSize: true,
  resolveName: true,
  publishName: true,
  listKeys: true,
  generateKey: true,
  importKey: true,
  exportKey: true,
  pin: true,
  pubsubPublish: true,
  pubsubPeers: true,
  pubsubSubscribe: true,
  id: true,
};
