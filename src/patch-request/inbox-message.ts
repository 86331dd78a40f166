import * as dagCbor from "@ipld/dag-cbor";
import { type IpnsName, isIpnsName, parseIpnsName } from "../nomad/ipns-name.js";

/**
 * The inbox of a target (docs/design.md §8): a pubsub topic on which anyone may drop the key of a patch
 * request for that target, so a patch reaches the operator without GitHub. The message carries a key and
 * nothing the receiver trusts: it resolves and validates the key exactly as one posted on an issue.
 *
 * Topic: `/nomad-patch/inbox/1/<target's roaming key, base36 k51…>`; the `1` is the message version.
 * Message: DAG-CBOR `{ v: 1, patch: "<patch request key, k51…>", target: "<roaming key, k51…>" }`, at
 * most {@link MAX_INBOX_MESSAGE_BYTES} bytes.
 */
export const INBOX_TOPIC_PREFIX = "/nomad-patch/inbox/1/";

/** A message is three short fields (about 150 bytes); anything much larger is not one. */
export const MAX_INBOX_MESSAGE_BYTES = 1024;

/** An IPNS name in any form is well under this; a longer string is not looked at. */
const MAX_NAME_CHARS = 128;

export interface InboxMessage {
  readonly patch: IpnsName;
  readonly target: IpnsName;
}

export type DecodedInboxMessage =
  | { readonly ok: true; readonly message: InboxMessage }
  | {
      readonly ok: false;
      readonly reason: "oversized" | "malformed" | "other-target";
      readonly detail: string;
    };

/** The inbox topic of a target (any IPNS name form; the topic always names it in base36). */
export function inboxTopic(target: string): string {
  return `${INBOX_TOPIC_PREFIX}${parseIpnsName(target, "target")}`;
}

export function encodeInboxMessage(message: { readonly patch: string; readonly target: string }): Uint8Array {
  return dagCbor.encode({
    v: 1,
    patch: parseIpnsName(message.patch, "the patch request key"),
    target: parseIpnsName(message.target, "target"),
  });
}

/**
 * Reads a message received on `inboxTarget`'s topic. Never throws: a message that is too large, not
 * DAG-CBOR, not exactly `{v: 1, patch, target}` with two IPNS names, or that names another target than
 * the topic's, is described instead, so the receiver can drop and count it.
 */
export function decodeInboxMessage(bytes: Uint8Array, inboxTarget: IpnsName): DecodedInboxMessage {
  if (bytes.byteLength > MAX_INBOX_MESSAGE_BYTES)
    return { ok: false, reason: "oversized", detail: `${bytes.byteLength} bytes` };
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    return { ok: false, reason: "malformed", detail: `not DAG-CBOR (${(error as Error).message})` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, reason: "malformed", detail: "not a map" };
  const fields = value as Record<string, unknown>;
  const names = Object.keys(fields).sort().join(",");
  if (names !== "patch,target,v") return { ok: false, reason: "malformed", detail: `fields ${names}` };
  if (fields.v !== 1) return { ok: false, reason: "malformed", detail: "unknown version" };
  const patch = nameOf(fields.patch);
  const target = nameOf(fields.target);
  if (patch === undefined || target === undefined)
    return { ok: false, reason: "malformed", detail: "patch and target must be IPNS names" };
  if (target !== inboxTarget) return { ok: false, reason: "other-target", detail: `names target ${target}` };
  return { ok: true, message: { patch, target } };
}

function nameOf(value: unknown): IpnsName | undefined {
  if (typeof value !== "string" || value.length > MAX_NAME_CHARS || !isIpnsName(value)) return undefined;
  return parseIpnsName(value);
}
