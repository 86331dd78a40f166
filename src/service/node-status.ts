import type { IpfsStore, ResolveOptions } from "../ipfs/store.js";
import { chooseModule, type IpldValue, isIpnsName, localKeyNameFor, parseIpnsName } from "../nomad/index.js";
import { patchRequestModule } from "../patch-request/patch-request-module.js";

export interface HeldObject {
  readonly id: string;
  readonly roamingKeyName: string;
  /** The partner local key (this node is a device), or null (it holds the roaming key only). */
  readonly localKeyName: string | null;
  readonly localId: string | null;
}

export interface CheckedTarget {
  readonly id: string;
  readonly canModify: boolean;
  /** The module its roaming value looks like, or null when it did not resolve in time. */
  readonly module: string | null;
  readonly publishedCid: string | null;
}

export interface NodeStatus {
  readonly peerId: string;
  /** Objects this node can modify: roaming key and its `.Local.` partner. */
  readonly devices: readonly HeldObject[];
  /** Roaming keys without a local partner: readable like anything public, not writable (run init). */
  readonly roamingOnly: readonly HeldObject[];
  /** Patch requests this node authored (they are Nomad objects too). */
  readonly patchRequests: readonly HeldObject[];
  /** The targets asked about, each checked. */
  readonly checked: readonly CheckedTarget[];
}

/**
 * What this node can modify and what it only reads (docs/design.md §9):
 * 1. list the keys and pair each `.Roaming.` key with its `.Local.` partner (the repositories' rule);
 * 2. for each target asked about, say whether it is modifiable here and what its roaming value is.
 */
export async function nodeStatus(
  deps: { readonly store: IpfsStore },
  input: { readonly targets?: readonly string[]; readonly resolve?: ResolveOptions } = {},
): Promise<NodeStatus> {
  const { store } = deps;
  const { peerId } = await store.id();
  const keys = await store.listKeys();
  const held: HeldObject[] = [];
  for (const key of keys) {
    const localName = localKeyNameFor(key.name);
    if (!localName || !isIpnsName(key.id)) continue;
    const local = keys.find((k) => k.name === localName);
    held.push({
      id: parseIpnsName(key.id),
      roamingKeyName: key.name,
      localKeyName: local?.name ?? null,
      localId: local ? parseIpnsName(local.id) : null,
    });
  }
  const isPatch = (o: HeldObject) => o.roamingKeyName.startsWith(`${patchRequestModule.keyPrefix}.`);
  const checked = await Promise.all(
    (input.targets ?? []).map(async (target): Promise<CheckedTarget> => {
      const id = parseIpnsName(target, "target");
      const cid = await store.resolveName(id, input.resolve);
      const value = cid ? ((await store.dagGet(cid)) as IpldValue) : undefined;
      return {
        id,
        canModify: held.some((o) => o.id === id && o.localKeyName !== null),
        module: value === undefined ? null : chooseModule(value).name,
        publishedCid: cid?.toString() ?? null,
      };
    }),
  );
  return {
    peerId,
    devices: held.filter((o) => o.localKeyName !== null && !isPatch(o)),
    roamingOnly: held.filter((o) => o.localKeyName === null && !isPatch(o)),
    patchRequests: held.filter(isPatch),
    checked,
  };
}
