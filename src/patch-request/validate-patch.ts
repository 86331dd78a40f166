import type { CID } from "multiformats/cid";
import type { IpnsName } from "../nomad/ipns-name.js";
import { isWithinObject } from "../nomad/target-id.js";
import { isReservedEventId } from "../policy/reserved.js";
import type { Problem } from "./change-model.js";
import { deviceChangeOf } from "./device-change.js";
import type { PatchRequestRecord } from "./patch-request-record.js";
import type { ProposedEntry } from "./proposed-entry.js";

export interface ValidationInput {
  /** The key the patch was resolved from (base36). */
  readonly key: IpnsName;
  readonly record: PatchRequestRecord;
  readonly entries: readonly ProposedEntry[];
  /** Targets this repository (or operator) accepts patches for; undefined accepts any. */
  readonly allowedTargets?: readonly IpnsName[];
  /** What the target's roaming key points at now. */
  readonly targetPublishedCid: CID | null;
  readonly maxEntries: number;
}

export interface ValidationResult {
  /** Refusals: the patch can never be applied as it is. */
  readonly errors: Problem[];
  readonly warnings: Problem[];
}

type Rule = (input: ValidationInput, out: ValidationResult) => void;

/** docs/design.md §4, one small rule each; every rule runs, so a refusal lists all that is wrong at once. */
const rules: readonly Rule[] = [
  function targetIsConfigured({ record, allowedTargets }, { errors }) {
    if (allowedTargets && !allowedTargets.includes(record.target)) {
      errors.push({
        code: "target-not-configured",
        message: `Target ${record.target} is not one of the targets configured for this repository (${allowedTargets.join(", ") || "none"})`,
      });
    }
  },
  function hasEntries({ record }, { errors }) {
    if (record.entries.length === 0)
      errors.push({ code: "no-entries", message: "The patch request proposes no entries" });
  },
  function withinEntryLimit({ record, maxEntries }, { errors }) {
    if (record.entries.length > maxEntries) {
      errors.push({
        code: "too-many-entries",
        message: `The patch request proposes ${record.entries.length} entries; the limit is ${maxEntries}`,
      });
    }
  },
  function entriesAreReadable({ entries }, { errors }) {
    for (const e of entries) {
      if (e.problem)
        errors.push({
          code: e.problem.code,
          message: `Entry ${e.index} (${e.cid}): ${e.problem.message}`,
          entryIndex: e.index,
        });
    }
  },
  function noReservedEventIds({ entries }, { errors }) {
    for (const { index, entry, loaded } of entries) {
      if (entry && isReservedEventId(entry.eventId)) {
        const device = deviceChangeOf(entry.eventId, loaded?.content);
        const what =
          device === undefined
            ? `is a ${entry.eventId} entry`
            : device.kind === "add"
              ? `would make ${device.key} a device with full write access to the target (${entry.eventId})`
              : `would remove ${device.key} from the devices that write the target (${entry.eventId})`;
        errors.push({
          code: "reserved-event-id",
          message: `Entry ${index} ${what}: a patch can never add or remove a source (that is pairing, full trust)`,
          entryIndex: index,
        });
      }
    }
  },
  function entriesStayInTarget({ entries, record }, { errors }) {
    for (const { index, entry } of entries) {
      if (entry && !isWithinObject(entry.targetId, record.target)) {
        errors.push({
          code: "entry-outside-target",
          message: `Entry ${index} targets ${entry.targetId}, which is neither the target ${record.target} nor under it`,
          entryIndex: index,
        });
      }
    }
  },
  function noDuplicateEntries({ record }, { warnings }) {
    const seen = new Set<string>();
    record.entries.forEach((cid, index) => {
      const text = cid.toString();
      if (seen.has(text))
        warnings.push({
          code: "duplicate-entry",
          message: `Entry ${index} (${text}) is proposed twice`,
          entryIndex: index,
        });
      seen.add(text);
    });
  },
  function idMatchesKey({ record, key }, { warnings }) {
    if (record.id !== key) {
      warnings.push({
        code: "id-mismatch",
        message: `The patch request says its Id is ${record.id}, but it was resolved from ${key}: it may be a copy of someone else's patch`,
      });
    }
  },
  function baseIsCurrent({ record, targetPublishedCid }, { warnings }) {
    if (record.base && (!targetPublishedCid || !record.base.equals(targetPublishedCid))) {
      warnings.push({
        code: "target-moved",
        message: `The target moved since the patch was written: the author saw ${record.base}, the target is now at ${targetPublishedCid ?? "(unpublished)"}`,
      });
    }
  },
];

export function validatePatch(input: ValidationInput): ValidationResult {
  const result: ValidationResult = { errors: [], warnings: [] };
  for (const rule of rules) rule(input, result);
  return result;
}
