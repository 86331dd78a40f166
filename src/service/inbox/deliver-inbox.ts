import { NomadPatchError } from "../../errors.js";
import type { IpfsStore } from "../../ipfs/store.js";
import { parseIpnsName } from "../../nomad/index.js";
import { encodeInboxMessage, inboxTopic } from "../../patch-request/inbox-message.js";
import { checkArrival } from "./check-arrival.js";

/** Nobody listened on the inbox in time: the operator's node is not running its inbox, or not reachable. */
export class InboxUnreachableError extends NomadPatchError {
  readonly code = "INBOX_UNREACHABLE";
  override readonly exitCode = 75; // EX_TEMPFAIL: deliver again once the operator's node listens
  constructor(
    readonly target: string,
    waitedMs: number,
  ) {
    super(`Nobody listens on the inbox of ${target}: no subscriber was seen within ${waitedMs} ms`, {
      hint: "the operator's node must run `nomad-patch watch` (or the app with inboxes on) with pubsub on, and your node must be connected to it (`ipfs swarm connect …`); deliver again then",
    });
  }
}

/** Copies of a delivery sent: a lost copy is likely under load, three in a row are not. */
export const PUBLISH_TIMES = 3;
export const PUBLISH_SPACING_MS = 500;

export interface DeliverToInboxInput {
  readonly key: string;
  readonly target: string;
  /** How long to wait for a subscriber of the inbox's topic. */
  readonly waitMs: number;
  /** Time to resolve the key on this node, to check it is a patch request for `target`. */
  readonly resolveTimeoutMs: number;
  /** Copies of the message to send (default {@link PUBLISH_TIMES}). */
  readonly copies?: number;
}

export interface DeliveredToInbox {
  readonly key: string;
  readonly target: string;
  readonly topic: string;
  /** The subscribers the message was published to. */
  readonly peers: readonly string[];
}

/**
 * `deliver KEY --inbox TARGET` (docs/design.md §8):
 * 1. check, on this node, that the key is a patch request for the target (a wrong one would be dropped
 *    by the receiver without a word to the sender);
 * 2. wait, bounded, until some peer subscribes to the target's inbox topic: pubsub keeps nothing for
 *    later, so a message published to nobody is lost;
 * 3. publish the message {@link PUBLISH_TIMES} times (or `copies`), {@link PUBLISH_SPACING_MS} apart: pubsub confirms
 *    nothing, and a subscriber seen by this node can still miss a message sent while the mesh forms or
 *    under load (seen as a delivery that never arrived); the receiver takes a key once and counts the
 *    other copies as duplicates, so sending again is harmless.
 */
export async function deliverToInbox(
  deps: { readonly store: IpfsStore },
  input: DeliverToInboxInput,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<DeliveredToInbox> {
  const key = parseIpnsName(input.key, "the patch request key");
  const target = parseIpnsName(input.target, "--inbox");
  const checked = await checkArrival(deps.store, key, target, input.resolveTimeoutMs);
  if (!checked.ok) throw checked.error;
  const topic = inboxTopic(target);
  const started = Date.now();
  let peers = await deps.store.pubsubPeers(topic);
  while (peers.length === 0) {
    if (Date.now() - started >= input.waitMs) throw new InboxUnreachableError(target, input.waitMs);
    await sleep(500);
    peers = await deps.store.pubsubPeers(topic);
  }
  const message = encodeInboxMessage({ patch: key, target });
  const copies = Math.max(1, Math.min(input.copies ?? PUBLISH_TIMES, PUBLISH_TIMES));
  for (let copy = 0; copy < copies; copy++) {
    if (copy > 0) await sleep(PUBLISH_SPACING_MS);
    await deps.store.pubsubPublish(topic, message);
  }
  return { key, target, topic, peers };
}
