import { CID } from "multiformats/cid";
import { publishPatchRequest } from "../../../src/service/propose-publish.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { testPublish } from "../../helpers/nomad-builders/index.js";
import { dagPutJsonAsCSharpDoes } from "../nomad/kubo-http.js";

/**
 * Blocks written as a C# device writes them: hand-written JSON, as Newtonsoft would serialise the C#
 * records, put through Kubo's `dag/put` exactly as net-ipfs-http-client calls it. Nothing here uses the
 * project's encoders, so a test sees what the C# libraries (or someone imitating them) publish.
 */
export async function putJson(node: KuboNode, value: unknown): Promise<CID> {
  return CID.parse(await dagPutJsonAsCSharpDoes(node.apiUrl, JSON.stringify(value)));
}

export const link = (cid: CID | string) => ({ "/": cid.toString() });

/** `ValueUpdateEvent(Key, Value, Unset)` with its value blocks (`Client.Dag.PutAsync(value)`). */
export async function valueUpdate(
  node: KuboNode,
  fields: { readonly key?: unknown; readonly value?: unknown; readonly unset?: boolean },
): Promise<CID> {
  const block = async (v: unknown) => (v === undefined ? null : link(await putJson(node, v)));
  return putJson(node, {
    Key: await block(fields.key),
    Value: await block(fields.value),
    Unset: fields.unset ?? false,
  });
}

/** `EventStreamEntry<DagCid>` as Newtonsoft writes it (PascalCase, a `…Z` timestamp, a link to the content). */
export async function entryBlock(
  node: KuboNode,
  entry: { readonly targetId: string; readonly eventId: string; readonly content: CID },
): Promise<CID> {
  return putJson(node, {
    TargetId: entry.targetId,
    EventId: entry.eventId,
    TimestampUtc: "2025-06-01T10:00:00.1234567Z",
    Content: link(entry.content),
  });
}

/** A patch request proposing the given C#-shaped entries (the record is this project's own format). */
export async function proposeCSharpEntries(
  node: KuboNode,
  target: string,
  title: string,
  entries: readonly { readonly targetId: string; readonly eventId: string; readonly content: CID }[],
) {
  const cids = [];
  for (const entry of entries) cids.push(await entryBlock(node, entry));
  return publishPatchRequest(
    { store: node.store },
    { target, base: null, title, description: "", entries: cids, publish: testPublish },
  );
}
