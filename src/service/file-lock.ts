import { LimitExceededError } from "../errors.js";
import { takePidLock } from "./pid-lock.js";

const POLL_MS = 100;

/**
 * An exclusive lock between processes (the app and a CLI sharing one data directory), and between tasks of
 * one process: a file holding the owner's pid, waited for while a live holder has it, taken over when its
 * owner is gone (by one taker only: pid-lock.ts). Gives up after `waitMs`.
 */
export async function withFileLock<T>(path: string, task: () => Promise<T>, waitMs = 120_000): Promise<T> {
  const started = Date.now();
  const lock = await takePidLock(path, {
    whileHeld: async (owner) => {
      if (Date.now() - started > waitMs) {
        const holder = owner > 0 ? `Another process (pid ${owner})` : "Another process";
        throw new LimitExceededError(`${holder} holds ${path}; gave up after ${waitMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    },
  });
  try {
    return await task();
  } finally {
    await lock.release();
  }
}
