import { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";
import { isIpldMap, isWithinObject } from "../nomad/index.js";
import { isReservedEventId } from "../policy/reserved.js";
import { parseDagJson } from "./propose-dag-json.js";
import type { EntryDraft } from "./propose-entries.js";

/**
 * Raw entries for any module, from a DAG-JSON file: `[{ "TargetId"?, "EventId", "Content" }]`.
 * `TargetId` defaults to the target and must be the target or under it (`{target}/…`). `Content` is
 * put as a DAG-CBOR block, except a bare link (`{"/": "bafy…"}`), which names an existing content block.
 * Reserved EventIds are refused here already: the bot would refuse the whole patch.
 */
export function parseRawEntries(text: string, target: string, where: string): EntryDraft[] {
  const parsed = parseDagJson(text, where);
  if (!Array.isArray(parsed)) throw new UsageError(`${where} must hold a JSON array of entries`);
  return parsed.map((item, i): EntryDraft => {
    const at = `${where}[${i}]`;
    if (!isIpldMap(item)) throw new UsageError(`${at} is not an object`);
    const { TargetId: targetId = target, EventId: eventId, Content: content } = item;
    if (typeof eventId !== "string" || eventId.trim() === "")
      throw new UsageError(`${at}.EventId must be a name`);
    if (isReservedEventId(eventId)) {
      throw new UsageError(
        `${at}.EventId ${eventId} adds or removes a source, which is pairing: no patch request may carry it`,
      );
    }
    if (typeof targetId !== "string" || !isWithinObject(targetId, target))
      throw new UsageError(`${at}.TargetId must be ${target} or start with ${target}/`);
    if (content === undefined) throw new UsageError(`${at}.Content is missing`);
    const link = CID.asCID(content);
    return link ? { targetId, eventId, contentCid: link } : { targetId, eventId, content };
  });
}
