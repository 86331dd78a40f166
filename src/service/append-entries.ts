import type { CID } from "multiformats/cid";
import type { IpfsStore, PublishOptions } from "../ipfs/store.js";
import {
  decodeEventStreamEntry,
  type EventStream,
  encodeEventStream,
  encodeEventStreamEntry,
  formatTimestamp,
  type IpldValue,
  type IpnsName,
  parseIpnsName,
  SOURCE_ADD_EVENT_ID,
  type Ticks,
  ticksFromMilliseconds,
} from "../nomad/index.js";
import { SourceUnreachableError } from "./apply-errors.js";
import { findDeviceKeys } from "./find-device-keys.js";
import { type LoadedTarget, type LoadTargetInput, loadTarget } from "./load-target.js";
import { readOwnStream } from "./own-stream.js";

/** A new entry: its content as data (put here) or as a block that already exists (a patch's content link). */
export type NewEntry = { readonly targetId: string; readonly eventId: string } & (
  | { readonly content: IpldValue }
  | { readonly contentCid: CID }
);

export interface AppendInput extends Omit<LoadTargetInput, "knownStreams" | "now"> {
  readonly entries: readonly NewEntry[];
  /** The clock, injectable for tests; timestamps are forced strictly increasing whatever it says. */
  readonly now?: () => Ticks;
  readonly publish?: PublishOptions;
}

export interface AppendResult {
  readonly entryCids: CID[];
  readonly timestamps: string[];
  readonly streamCid: CID;
  readonly roamingCid: CID;
  readonly loaded: LoadedTarget;
}

/**
 * Append entries as one of the operator's devices (docs/format.md):
 * 1. find this node's roaming and local keys for the target;
 * 2. read its own local stream and the timestamp of its last entry;
 * 3. per entry: put the content, then the entry (timestamps strictly increasing), not pinned yet;
 * 4. put the stream with the new links; fold the target from all sources with it: a source that does not
 *    resolve (other than one these entries add) stops here, with nothing published and nothing pinned, as
 *    an apply does (a pin taken before a refusal would never be taken back: refused attempts would grow
 *    the repository for good);
 * 5. pin the stream recursively (the entries and their content with it), publish the local key, put the
 *    roaming value, publish the roaming key.
 */
export async function appendEntries(
  deps: { readonly store: IpfsStore },
  input: AppendInput,
): Promise<AppendResult> {
  const { store } = deps;
  const clock = input.now ?? (() => ticksFromMilliseconds(Date.now()));
  const keys = await findDeviceKeys(store, input.target);
  const localId = parseIpnsName(keys.local.id);
  const { stream, lastTicks } = await readOwnStreamEnd(store, keys.roaming.id, localId, input.resolve);

  const entryCids: CID[] = [];
  const timestamps: string[] = [];
  let previous = lastTicks;
  for (const entry of input.entries) {
    const content = "contentCid" in entry ? entry.contentCid : await store.dagPut(entry.content);
    const now = clock();
    const ticks = previous !== undefined && now <= previous ? previous + 1n : now;
    previous = ticks;
    const timestampUtc = formatTimestamp(ticks);
    const encoded = encodeEventStreamEntry({
      targetId: entry.targetId,
      eventId: entry.eventId,
      timestampUtc,
      content,
    });
    entryCids.push(await store.dagPut(encoded));
    timestamps.push(timestampUtc);
  }

  const next: EventStream = { label: stream.label, entries: [...stream.entries, ...entryCids] };
  const streamCid = await store.dagPut(encodeEventStream(next));
  // Folded before anything is published: the roaming value every reader without keys sees must not lose
  // a device that cannot be read now (a source these entries add has nothing in it to lose yet).
  const loaded = await loadTarget(deps, {
    ...input,
    now: previous !== undefined && previous > clock() ? previous : clock(),
    knownStreams: new Map([[localId, streamCid]]),
  });
  const adding = new Set(input.entries.flatMap(addedSource));
  const lost = loaded.unreachable.filter((source) => !adding.has(source.id));
  if (lost.length > 0) throw new SourceUnreachableError(loaded.targetId, lost);

  // One recursive pin keeps the stream, every entry and what the entries link to (fetched if need be).
  await store.pin(streamCid);
  await store.publishName(keys.local.name, streamCid, { lifetime: "24h", ...input.publish });
  const roamingCid = await store.dagPut(loaded.state, { pin: true });
  // Numbered above the network's best record: the owner's other devices publish under this key too.
  await store.publishName(keys.roaming.name, roamingCid, {
    lifetime: "24h",
    sharedName: keys.roaming.id,
    ...input.publish,
  });
  return { entryCids, timestamps, streamCid, roamingCid, loaded };
}

/** The source a SourceAdd entry names (its content is the local key id as a string). */
function addedSource(entry: NewEntry): string[] {
  return entry.eventId === SOURCE_ADD_EVENT_ID && "content" in entry && typeof entry.content === "string"
    ? [entry.content]
    : [];
}

/** The bot's stream as published (never started afresh) and the time of its last entry. */
async function readOwnStreamEnd(
  store: IpfsStore,
  targetId: string,
  localId: IpnsName,
  resolve: LoadTargetInput["resolve"],
) {
  const { stream } = await readOwnStream(store, targetId, localId, resolve);
  const last = stream.entries.at(-1);
  const lastTicks = last
    ? decodeEventStreamEntry(await store.dagGet(last), last.toString()).ticks
    : undefined;
  return { stream, lastTicks };
}
