/**
 * Nomad data written the way the C# libraries write it, with raw Kubo RPC calls (never this project's
 * writer): JSON bodies with PascalCase names to `dag/put` (store-codec dag-cbor), `key/gen`, `name/publish`,
 * as net-ipfs-http-client sends them for OwlCore.Nomad.Kubo and WindowsAppCommunity.Sdk.
 */

export interface ApiNode {
  readonly apiUrl: string;
}

async function rpc(node: ApiNode, path: string, params: Record<string, string>, body?: FormData) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${node.apiUrl}/api/v0/${path}?${query}`, { method: "POST", body });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

/** `dag/put` of JSON text, as DagApi.PutAsync does; returns the CID string. */
export async function putJson(node: ApiNode, value: unknown): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([JSON.stringify(value)], { type: "application/octet-stream" }), "data");
  const body = await rpc(
    node,
    "dag/put",
    { "store-codec": "dag-cbor", "input-codec": "dag-json", pin: "true" },
    form,
  );
  return (body.Cid as { "/": string })["/"];
}

/** `key/gen` of an Ed25519 key; returns its base36 id. */
export async function generateKey(node: ApiNode, name: string): Promise<string> {
  const body = await rpc(node, "key/gen", { arg: name, type: "ed25519", "ipns-base": "base36" });
  return body.Id as string;
}

/** `name/publish` as NameApi.PublishAsync does (a short `lifetime` makes the record expire). */
export async function publish(node: ApiNode, keyName: string, cid: string, lifetime = "24h"): Promise<void> {
  await rpc(node, "name/publish", {
    arg: `/ipfs/${cid}`,
    key: keyName,
    lifetime,
    "allow-offline": "true",
    resolve: "false",
  });
}

const link = (cid: string) => ({ "/": cid });

/** A `ValueUpdateEvent` entry of the WindowsAppCommunity SDK: the value in its own block, `Key` null. */
export async function valueEntry(
  node: ApiNode,
  spec: {
    readonly targetId: string;
    readonly eventId: string;
    readonly value: unknown;
    readonly timestampUtc: string;
  },
): Promise<string> {
  const value = await putJson(node, spec.value);
  const content = await putJson(node, { Key: null, Value: link(value), Unset: false });
  return putJson(node, {
    TargetId: spec.targetId,
    EventId: spec.eventId,
    TimestampUtc: spec.timestampUtc,
    Content: link(content),
  });
}

/** An `EventStream` (`Label`, `Entries` as links) put and published under `keyName`; returns its CID. */
export async function publishStream(
  node: ApiNode,
  keyName: string,
  label: string,
  entries: readonly string[],
  lifetime?: string,
): Promise<string> {
  const cid = await putJson(node, { Label: label, Entries: entries.map(link) });
  await publish(node, keyName, cid, lifetime);
  return cid;
}

/** A WindowsAppCommunity `Project` roaming value as the SDK's model serialises it (every field written). */
export function projectValue(fields: {
  readonly Sources: readonly string[];
  readonly Name?: string;
  readonly Description?: string;
  readonly Features?: readonly string[];
}): Record<string, unknown> {
  return {
    Publisher: null,
    Name: fields.Name ?? "",
    Description: fields.Description ?? "",
    ExtendedDescription: "",
    Images: [],
    Features: [...(fields.Features ?? [])],
    AccentColor: null,
    Category: "",
    Projects: [],
    Users: [],
    Links: [],
    Connections: [],
    ForgetMe: null,
    IsUnlisted: false,
    Sources: [...fields.Sources],
  };
}
