import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type KuboNode, startKubo, startKuboPair } from "../../helpers/kubo.js";

/** The review and apply limits of the C#-device tests. */
export const CSHARP_TEST_LIMITS = { maxEntries: 100, maxBytes: 8 * 1024 * 1024, resolveTimeoutMs: 15_000 };

/** The key name prefix of a WindowsAppCommunity.Sdk project (`{prefix}.Roaming.{name}`, `{prefix}.Local.{name}`). */
export const PROJECT_PREFIX = "WindowsAppCommunity.Sdk.Project";

/** `DateTime.UtcNow` (plus `offsetMs`) as Newtonsoft writes it: trailing zeros of the fraction trimmed. */
export function newtonsoftUtc(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.?0+Z$/, "Z");
}

export interface BotAndDevice {
  /** `operator` is the bot's node; `contributor` proposes patches. */
  readonly pair: Awaited<ReturnType<typeof startKuboPair>>;
  /** A node standing in for one of the owner's C# devices. */
  readonly device: KuboNode;
  /** The bot's data directory (its apply journal). */
  readonly dataDir: string;
}

/**
 * The bot's node and a contributor's, and one C# device of the owner connected to the bot (and to the
 * contributor when asked: a name the device publishes is then found there too); a data directory named
 * after the test. What started is stopped again if the rest fails to.
 */
export async function startBotAndDevice(
  name: string,
  options: { readonly connectContributor?: boolean } = {},
): Promise<BotAndDevice> {
  const [pair, device] = await Promise.allSettled([startKuboPair(), startKubo()]);
  if (pair.status === "rejected" || device.status === "rejected") {
    await stopBotAndDevice({
      pair: pair.status === "fulfilled" ? pair.value : undefined,
      device: device.status === "fulfilled" ? device.value : undefined,
    });
    throw pair.status === "rejected" ? pair.reason : (device as PromiseRejectedResult).reason;
  }
  const nodes = { pair: pair.value, device: device.value };
  try {
    await connect(nodes.pair.operator, nodes.device);
    if (options.connectContributor) await connect(nodes.pair.contributor, nodes.device);
    return { ...nodes, dataDir: await mkdtemp(join(tmpdir(), `nomad-patch-${name}-`)) };
  } catch (error) {
    await stopBotAndDevice(nodes);
    throw error;
  }
}

/** Stops what `startBotAndDevice` started, whatever of it did start. */
export async function stopBotAndDevice(nodes: Partial<BotAndDevice>): Promise<void> {
  await Promise.all([nodes.pair?.stop(), nodes.device?.stop()]);
  if (nodes.dataDir) await rm(nodes.dataDir, { recursive: true, force: true });
}
