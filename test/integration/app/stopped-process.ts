import type { IpfsStore } from "../../../src/ipfs/store.js";
import type { ApplyJournal, JournalRecord } from "../../../src/service/apply-journal.js";

/**
 * Where a process stops: after the journal recorded a state (with `before`, as it is about to record it:
 * the step it records is done, the record not written), or as a store call is made.
 */
export type StopPoint =
  | { readonly journal: JournalRecord["state"]; readonly before?: boolean }
  | { readonly store: keyof IpfsStore; readonly nth: number; readonly match?: (args: unknown[]) => boolean };

/** A store call that fails before the stop, as Kubo failing it would (every call of that name, until the stop). */
export interface StoreFault {
  readonly store: keyof IpfsStore;
  readonly error: () => Error;
}

/**
 * A process that stops dead at `point`: from then on no call it makes to Kubo or to its journal returns,
 * so nothing after it is written anywhere (no journal record, no comment), as after a SIGKILL. The apply's
 * lock between processes is not taken: a killed process leaves its pid's lock file, which the next process
 * takes over (test/integration/service/file-lock.test.ts), but in one test process it would be a live
 * holder's. With `fault`, the named store call fails before the stop (Kubo refusing a write, say).
 */
export function stoppingAt(store: IpfsStore, point: StopPoint, fault?: StoreFault) {
  let stopped = false;
  let reached = () => {};
  const stop = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const never = () => new Promise<never>(() => {});
  const halt = () => {
    stopped = true;
    reached();
    return never();
  };
  let seen = 0;
  const stopping = new Proxy(store, {
    get(target, property: keyof IpfsStore) {
      const value = target[property];
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (stopped) return never();
        if (fault?.store === property) return Promise.reject(fault.error());
        if ("store" in point && point.store === property && (point.match?.(args) ?? true)) {
          seen++;
          if (seen === point.nth) return halt();
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const journal = (onDisk: ApplyJournal): ApplyJournal => ({
    get: (patchCid) => (stopped ? never() : onDisk.get(patchCid)),
    unfinished: (targetId) => (stopped ? never() : onDisk.unfinished(targetId)),
    put: async (record) => {
      if (stopped) return never();
      if ("journal" in point && point.before && record.state === point.journal) return halt();
      await onDisk.put(record);
      if ("journal" in point && record.state === point.journal) {
        stopped = true;
        reached();
      }
    },
    exclusive: (_targetId, task) => task(),
  });
  return { store: stopping, journal, stop };
}
