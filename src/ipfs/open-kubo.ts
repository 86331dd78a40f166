import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { IpfsTimeoutError, KuboUnavailableError, NotKuboApiError } from "./errors.js";
import { findKubo } from "./kubo-binary.js";
import { multiaddrToUrl, startKuboDaemon } from "./kubo-daemon.js";
import { ensureKubo } from "./kubo-install.js";
import { KuboStore, type KuboStoreLimits } from "./kubo-store.js";
import { checkSwarmPortFree } from "./swarm-port.js";

export interface OpenKuboOptions {
  /** A running node's RPC address; when set, no daemon is started. */
  readonly apiUrl?: string;
  /** Where the managed node keeps its repository (`<dataDir>/kubo`). */
  readonly dataDir: string;
  readonly swarmPort?: number;
  /**
   * How the operator uses a running node instead, as the hint says it when the managed node's swarm port
   * is taken: a clause after "or". Default: set `KUBO_API_URL` (the app's setting); the CLI names `--kubo`.
   */
  readonly useRunningNodeHint?: string;
  /**
   * The repository of the node at `apiUrl`, when it is on this machine (`IPFS_PATH`): Kubo exports keys
   * only from the repository, and pairing sends one.
   */
  readonly repoPath?: string;
  readonly limits?: Partial<KuboStoreLimits>;
  readonly log?: (line: string) => void;
}

export interface OpenedKubo {
  readonly store: KuboStore;
  /** True when this process started the daemon (and will stop it on close). */
  readonly managed: boolean;
  /** The managed node's repository and binary: what it takes to run the same node again. */
  readonly repoPath?: string;
  readonly binary?: string;
  close(): Promise<void>;
}

/**
 * The node the app and the CLI talk to: the configured one, or else a managed daemon
 * with a persistent repository in the data directory. Its RPC API listens on loopback
 * only, on a free port; its swarm is a normal node's, so it can fetch contributors' data.
 */
export async function openKubo(options: OpenKuboOptions): Promise<OpenedKubo> {
  const log = options.log ?? (() => {});
  if (options.apiUrl) {
    const binary = options.repoPath ? await findKubo() : undefined;
    const local =
      binary && options.repoPath ? { binary: binary.path, repoPath: options.repoPath } : undefined;
    const store = new KuboStore({ apiUrl: options.apiUrl, limits: options.limits, local });
    const { peerId } = await store.id({ timeoutMs: 10_000 }).catch((error: unknown) => {
      throw notKuboWhenItAnswered(store.apiUrl, error);
    });
    log(`using the Kubo node at ${options.apiUrl} (peer ${peerId})`);
    return { store, managed: false, close: async () => {} };
  }
  const kubo = await ensureKubo({ log });
  const repoPath = join(options.dataDir, "kubo");
  await mkdir(repoPath, { recursive: true });
  const running = await runningDaemon(repoPath, options.limits);
  if (running) {
    // The app (or another command) runs the data directory's node: use it rather than fight for its lock.
    const store = new KuboStore({
      apiUrl: running,
      limits: options.limits,
      local: { binary: kubo.path, repoPath },
    });
    log(`using the data directory's running Kubo at ${running}`);
    return { store, managed: false, close: async () => {} };
  }
  const port = options.swarmPort ?? 4001;
  await checkSwarmPortFree(port, options.useRunningNodeHint);
  const daemon = await startKuboDaemon({
    binary: kubo.path,
    repoPath,
    config: {
      "Addresses.API": "/ip4/127.0.0.1/tcp/0",
      "Addresses.Gateway": [],
      // Pairing with the C# apps runs over pubsub (OwlCore.Nomad.Kubo:src/KeyExchange.cs).
      "Pubsub.Enabled": true,
      "Addresses.Swarm": [`/ip4/0.0.0.0/tcp/${port}`, `/ip4/0.0.0.0/udp/${port}/quic-v1`],
    },
  });
  const store = new KuboStore({
    apiUrl: daemon.apiUrl,
    limits: options.limits,
    local: { binary: kubo.path, repoPath },
  });
  log(`started a managed Kubo ${kubo.version} (repository ${repoPath}, RPC ${daemon.apiUrl})`);
  return {
    store,
    managed: true,
    repoPath,
    binary: kubo.path,
    close: async () => {
      await daemon.stop();
      log("managed Kubo stopped");
    },
  };
}

/**
 * Every Kubo answers `id`. A server that answers it with anything else (the gateway's "404 page not
 * found", a web page) is not the RPC API: say so, instead of "not found" or the page itself. Silence
 * and timeouts keep their own errors.
 */
function notKuboWhenItAnswered(apiUrl: string, error: unknown): unknown {
  if (error instanceof KuboUnavailableError || error instanceof IpfsTimeoutError) return error;
  const text = error instanceof Error ? (error.cause instanceof Error ? error.cause : error).message : "";
  const firstLine = text.trim().split("\n")[0] ?? "";
  const answered = /<(!doctype|html|head|body)\b/i.test(text)
    ? "with an HTML page"
    : firstLine === ""
      ? "something else"
      : JSON.stringify(firstLine.slice(0, 100));
  return new NotKuboApiError(apiUrl, answered, { cause: error });
}

/** The RPC address of a daemon already running on `repoPath` (it writes `api` while it runs), if it answers. */
async function runningDaemon(
  repoPath: string,
  limits: OpenKuboOptions["limits"],
): Promise<string | undefined> {
  const address = await readFile(join(repoPath, "api"), "utf8").catch(() => undefined);
  if (!address) return undefined;
  try {
    const apiUrl = multiaddrToUrl(address.trim());
    await new KuboStore({ apiUrl, limits }).id({ timeoutMs: 5_000 });
    return apiUrl;
  } catch {
    return undefined; // a file left by a daemon that died: start a new one
  }
}
