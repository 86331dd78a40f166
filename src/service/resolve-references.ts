import { LimitExceededError } from "../errors.js";
import { KuboUnavailableError } from "../ipfs/errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { isIpldMap, isIpnsName, type Limiter } from "../nomad/index.js";
import type { ProposedEntry } from "../patch-request/proposed-entry.js";
import { referencedObjects } from "../patch-request/referenced-objects.js";

/** More distinct objects than this in one patch are not looked up: the rest count as not loading. */
export const MAX_REFERENCES = 32;

/**
 * Whether each object the proposed entries name loads as the C# replay loads it: the id is an IPNS
 * name, it resolves, and its roaming value is a record (OwlCore.Nomad.Kubo/src/NomadKuboRepositoryBase.cs
 * GetAsync resolves the roaming value and guards it is not null). `null` means it loads; otherwise why
 * not. Each lookup is bounded in time by the store's call options and in bytes by the store's budget.
 */
export async function resolveReferences(
  store: IpfsStore,
  input: {
    readonly module: string;
    readonly entries: readonly ProposedEntry[];
    readonly timeoutMs?: number;
    readonly limit: Limiter;
  },
): Promise<Map<string, string | null>> {
  const ids = [...new Set(referencedObjects(input.module, input.entries).map((ref) => ref.id))];
  const answers = new Map<string, string | null>();
  for (const id of ids.slice(MAX_REFERENCES)) {
    answers.set(id, `more than ${MAX_REFERENCES} objects are named; it was not looked up`);
  }
  await Promise.all(
    ids
      .slice(0, MAX_REFERENCES)
      .map((id) => input.limit(async () => answers.set(id, await whyNotLoading(store, id, input.timeoutMs)))),
  );
  return answers;
}

async function whyNotLoading(store: IpfsStore, id: string, timeoutMs?: number): Promise<string | null> {
  if (!isIpnsName(id)) return "it is not an IPNS name";
  try {
    const cid = await store.resolveName(id, { timeoutMs, nocache: true });
    if (!cid) return "its name does not resolve";
    const value = await store.dagGet(cid, { timeoutMs });
    return isIpldMap(value) ? null : "its roaming value is not a record";
  } catch (error) {
    // The review's own limits and a Kubo that is down end the review; anything else is the object's fault.
    if (error instanceof LimitExceededError || error instanceof KuboUnavailableError) throw error;
    return `it could not be read: ${(error as Error).message}`;
  }
}
