import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findKubo } from "../../src/ipfs/kubo-binary.js";
import { type RunningKubo, startKuboDaemon } from "../../src/ipfs/kubo-daemon.js";
import type { KuboConfigSettings } from "../../src/ipfs/kubo-repo-config.js";
import { KuboStore } from "../../src/ipfs/kubo-store.js";

/**
 * Real Kubo daemons for tests: `ipfs init --profile test` (API, gateway and swarm on
 * 127.0.0.1 random ports, no bootstrap peers, no mDNS), telemetry off, a temporary
 * repository removed afterwards — also when the test process dies.
 */
export interface KuboNode {
  readonly store: KuboStore;
  readonly apiUrl: string;
  readonly repoPath: string;
  readonly peerId: string;
  /** The node's loopback swarm address with its peer id, for `swarm connect`. */
  readonly swarmAddress: string;
  readonly binary: string;
  /** Stops the daemon (SIGINT, then SIGKILL) and deletes its repository. */
  stop(): Promise<void>;
  /** Stops the daemon but keeps the repository, so `restart` brings the same node back. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<KuboNode>;
}

export interface StartKuboOptions {
  readonly config?: KuboConfigSettings;
}

const live = new Set<{ daemon: RunningKubo; repoPath: string }>();
/** Last resort when a run dies before its afterAll: no daemon or repo outlives it. */
function killAll(): void {
  for (const { daemon, repoPath } of live) {
    try {
      process.kill(daemon.pid, "SIGKILL");
    } catch {}
    rmSync(repoPath, { recursive: true, force: true });
  }
  live.clear();
}
process.once("exit", killAll);
// A signal ends the process without "exit" handlers running unless someone listens for it.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  });
}

export async function startKubo(options: StartKuboOptions = {}): Promise<KuboNode> {
  const kubo = await findKubo();
  if (!kubo) {
    throw new Error(
      "No Kubo 0.43.1 for the integration tests: run `npm run kubo:install` (the test command does).",
    );
  }
  const repoPath = await mkdtemp(join(tmpdir(), "nomad-patch-kubo-"));
  return launch(kubo.path, repoPath, options);
}

async function launch(binary: string, repoPath: string, options: StartKuboOptions): Promise<KuboNode> {
  const daemon = await startKuboDaemon({
    binary,
    repoPath,
    initProfiles: ["test"],
    config: {
      // The LAN DHT over loopback: pairs find each other's names, and a lone node still
      // resolves its own (with Routing.Type=none, Kubo 0.43 resolves no name at all).
      "Routing.Type": "dht",
      // The resolver cache would hide a re-pointed name for a minute; tests re-point names.
      "Ipns.ResolveCacheSize": 0,
      ...options.config,
    },
    log: process.env.NOMAD_PATCH_KUBO_LOG
      ? (line) => process.stderr.write(`[kubo ${repoPath}] ${line}\n`)
      : undefined,
  }).catch(async (error) => {
    await rm(repoPath, { recursive: true, force: true });
    throw error;
  });
  const entry = { daemon, repoPath };
  live.add(entry);
  const store = new KuboStore({ apiUrl: daemon.apiUrl, local: { binary, repoPath } });
  const { peerId, addresses } = await store.id();
  const tcp = addresses.find((a) => a.startsWith("/ip4/127.0.0.1/tcp/")) ?? addresses[0];
  const swarmAddress = tcp?.includes("/p2p/") ? tcp : `${tcp}/p2p/${peerId}`;
  const node: KuboNode = {
    store,
    apiUrl: daemon.apiUrl,
    repoPath,
    peerId,
    swarmAddress,
    binary,
    async stop() {
      await daemon.stop();
      live.delete(entry);
      await rm(repoPath, { recursive: true, force: true });
    },
    async kill(signal = "SIGKILL") {
      process.kill(daemon.pid, signal);
      await daemon.exited;
      live.delete(entry);
    },
    async restart() {
      if (live.has(entry)) await daemon.stop();
      live.delete(entry);
      return launch(binary, repoPath, options);
    },
  };
  return node;
}

/** Connects two nodes over loopback (bitswap for blocks, and the DHT for names when routing is `dht`). */
export async function connect(a: KuboNode, b: KuboNode): Promise<void> {
  const { multiaddr } = await import("@multiformats/multiaddr");
  await a.store.rpc.swarm.connect(multiaddr(b.swarmAddress));
}

/**
 * An operator and a contributor: two nodes on the LAN DHT over loopback, connected,
 * so a name published on one resolves on the other.
 */
export async function startKuboPair(): Promise<{
  operator: KuboNode;
  contributor: KuboNode;
  stop(): Promise<void>;
}> {
  const [operator, contributor] = await Promise.all([startKubo(), startKubo()]);
  await connect(operator, contributor);
  return {
    operator,
    contributor,
    stop: async () => {
      await Promise.all([operator.stop(), contributor.stop()]);
    },
  };
}
