import type { Environment } from "../config/environment.js";
import { openKubo } from "../ipfs/open-kubo.js";
import { prepareDataDir } from "../service/data-dir.js";
import { lockDataDir } from "../service/data-dir-lock.js";
import { openNodeJournal } from "../service/node-journal.js";
import { openBlockCache } from "../service/open-block-cache.js";
import type { AppDeps } from "./index.js";

/** What the app runs on, built from its settings, and how to stop it. */
export interface AppRuntime {
  readonly deps: AppDeps;
  /** True when the Kubo node was started here (and stops on `close`). */
  readonly managed: boolean;
  close(): Promise<void>;
}

/**
 * The data directory, locked for this process first (two apps on one directory would replay each other's
 * queue and race on its files), then the app's Kubo node (`KUBO_API_URL`, else a managed one in the data
 * directory), the node's apply journal (what makes an apply exactly-once) and one block cache for the process (a target's history is read once,
 * then every later review is warm; backed by the data directory, so a restart starts warm). `npm start` and
 * the Probot entry (`nomad-patch/app`) both start here. `close` stops what the app started on it (the
 * watcher's timer, the inbox bridge; `AppDeps.stopOnClose`), closes the cache, then stops a managed node,
 * then releases the data directory.
 */
export async function openAppRuntime(
  environment: Environment,
  log: (line: string) => void,
): Promise<AppRuntime> {
  await prepareDataDir(environment.dataDir, "NOMAD_PATCH_DATA_DIR");
  const lock = await lockDataDir(environment.dataDir, log);
  try {
    return await openOnLockedDir(environment, log, lock.release);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openOnLockedDir(
  environment: Environment,
  log: (line: string) => void,
  release: () => Promise<void>,
): Promise<AppRuntime> {
  const kubo = await openKubo({
    apiUrl: environment.kuboApiUrl,
    dataDir: environment.dataDir,
    swarmPort: environment.kuboSwarmPort,
    limits: {
      timeoutMs: environment.callTimeoutMs,
      resolveTimeoutMs: environment.resolveTimeoutMs,
      exportIdleMs: environment.exportIdleMs,
      exportMaxMs: environment.exportMaxMs,
    },
    log,
  });
  try {
    const journal = await openNodeJournal(kubo.store, environment.dataDir);
    const cache = await openBlockCache(kubo.store, environment, log);
    const stops: (() => Promise<void>)[] = [];
    const close = async () => {
      // What the app started on this runtime first: its subscriptions use the node stopped below.
      for (const stop of stops.splice(0).reverse())
        await stop().catch((error: unknown) => log(`stopping the app failed: ${(error as Error).message}`));
      await cache
        .close()
        .catch((error: unknown) => log(`block cache close failed: ${(error as Error).message}`));
      await kubo.close();
      await release();
    };
    const stopOnClose = (stop: () => Promise<void>) => void stops.push(stop);
    return { deps: { store: cache.store, environment, journal, stopOnClose }, managed: kubo.managed, close };
  } catch (error) {
    await kubo.close();
    throw error;
  }
}
