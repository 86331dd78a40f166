import { isIpnsName, parseIpnsName } from "../nomad/ipns-name.js";
import type { NomadPatchConfig } from "./config-schema.js";
import { quote } from "./describe-value.js";
import { judgeEntry } from "./judge-entry.js";
import type { PatchSummary, PolicyReason, PolicyVerdict } from "./verdict.js";

/**
 * Decide what happens to a patch (docs/design.md §7): refused when any entry is refused, applied without a person
 * only when every entry is, otherwise it waits for review. Per entry, built-in refusals come first
 * and cannot be overridden; then the first matching rule, in file order, decides.
 */
export function evaluate(patch: PatchSummary, config: NomadPatchConfig): PolicyVerdict {
  // Compare base36 with base36: configured ids were normalised when the config was parsed.
  const targetName = isIpnsName(patch.target) ? parseIpnsName(patch.target) : undefined;
  const target = config.targets.find((candidate) => candidate.id === targetName);
  if (!target) {
    const known = config.targets.map((candidate) => candidate.name ?? candidate.id).join(", ");
    const message = `the patch is for ${quote(patch.target)}, which is not a target of this repository (targets: ${known})`;
    return { decision: "reject", reasons: [{ code: "unknown-target", message }] };
  }
  const count = patch.entries.length;
  if (count > config.limits.maxEntries) {
    const message = `the patch has ${count} entries; limits.maxEntries allows at most ${config.limits.maxEntries}`;
    return { decision: "reject", reasons: [{ code: "too-many-entries", message }] };
  }
  if (count === 0) {
    return {
      decision: "review",
      reasons: [{ code: "no-entries", message: "the patch has no entries: there is nothing to apply" }],
    };
  }
  const judgements = patch.entries.map((entry) =>
    judgeEntry(
      entry,
      { target: target.id, authorPermission: patch.authorPermission, entryCount: count },
      config.rules,
    ),
  );
  const refused = judgements.filter((judgement) => judgement.action === "reject");
  if (refused.length > 0)
    return { decision: "reject", reasons: refused.map((judgement) => judgement.reason) };
  const waiting = judgements.filter((judgement) => judgement.action === "review");
  if (waiting.length > 0)
    return { decision: "review", reasons: waiting.map((judgement) => judgement.reason) };
  const conflict = conflictReason(patch);
  if (conflict) return { decision: "review", reasons: [conflict] };
  return { decision: "apply", reasons: judgements.map((judgement) => judgement.reason) };
}

/**
 * A rule never applies a lost update: what the patch writes changed after its base, and approving would
 * remove those changes (docs/decisions.md). Nor a patch whose base cannot be read, since nobody can tell.
 */
function conflictReason(patch: PatchSummary): PolicyReason | undefined {
  const conflicts = patch.conflicts;
  if (!conflicts || conflicts.state === "clean") return undefined;
  if (conflicts.state === "base-unavailable") {
    return {
      code: "conflict",
      message:
        "the rules would apply this patch, but its base cannot be read, so nobody can tell whether it removes changes made after it was written: a person decides",
    };
  }
  const shown = conflicts.paths.slice(0, 5).map(quote).join(", ");
  const more = conflicts.paths.length > 5 ? ` and ${conflicts.paths.length - 5} more` : "";
  return {
    code: "conflict",
    message: `the rules would apply this patch, but ${shown}${more} changed after it was written and approving would remove those changes: a rule never applies that, a person decides`,
  };
}
