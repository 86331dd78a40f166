import type { Command } from "commander";
import { conflictValues } from "../../render/conflict-lines.js";
import { stripTerminalControls } from "../../render/index.js";
import { RebaseConflictError, rebasePatch } from "../../service/rebase-patch.js";
import { checkKeyArgument } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";
import { ReportedFailure } from "../exit-codes.js";

/** `rebase <key>`: re-propose a patch against the target's current value, as its next version. */
export function registerRebase(program: Command, run: Runner) {
  program
    .command("rebase")
    .summary("re-propose your patch against the target's current version")
    .description(
      "For the contributor, on the node that proposed the patch: merge what changed in the target since the patch's base with what the patch changes (files line by line, fields and list items one by one), and publish the result as the next version of the same patch key, based on the target's current value. Changes it cannot merge are listed and nothing is published (exit 3).",
    )
    .argument("<key>", "the patch request key (this node holds its keys)")
    .action((key: string) => run((ctx) => rebaseCommand(ctx, key)));
}

async function rebaseCommand(ctx: CommandContext, key: string): Promise<void> {
  checkKeyArgument(key, "the patch request key");
  await ctx.withStore(async (store) => {
    try {
      const result = await rebasePatch(
        { store },
        {
          key,
          maxEntries: ctx.env.maxEntries,
          resolveTimeoutMs: ctx.env.resolveTimeoutMs,
          onProgress: ctx.progress,
        },
      );
      if (result.status === "up-to-date") {
        ctx.print(
          `${result.key}\nAlready based on the target's current version (${result.base}): nothing published`,
          result,
        );
        return;
      }
      const lines = [
        result.key,
        "Rebased onto the target's current version and published as the next version of this key",
        `  base:    ${result.previousBase ?? "none"} → ${result.base}`,
        `  version: ${result.previousCid} → ${result.cid}`,
        `  entries: ${result.entries}`,
        ...(result.textMerged.length > 0 ? [`  merged line by line: ${result.textMerged.join(", ")}`] : []),
        "Approvals of the earlier version are void: the bot reviews this one when the key is refreshed (/refresh).",
      ];
      ctx.print(lines.join("\n"), result);
    } catch (error) {
      if (!(error instanceof RebaseConflictError)) throw error;
      ctx.print(conflictLines(error), { status: "conflicts", key, conflicts: error.conflicts });
      throw new ReportedFailure(error);
    }
  });
}

/** Every change that could not be merged, with both sides, on stdout: the message and hint go to stderr. */
function conflictLines(error: RebaseConflictError): string {
  const safe = (text: string) => stripTerminalControls(text, { multiline: true });
  const lines = ["Not rebased: these changes cannot be merged (nothing was published)"];
  for (const conflict of error.conflicts) {
    const values = conflictValues(conflict, 200);
    lines.push(
      `  ✗ ${safe(conflict.path)}${conflict.kind ? ` (${conflict.kind})` : ""}${values ? `: ${safe(values)}` : ""}`,
    );
    if (conflict.diffNote) lines.push(`    no text diff: ${safe(conflict.diffNote)}`);
    if (conflict.currentDiff !== undefined) {
      lines.push("    changed in the target since the base:", ...indent(safe(conflict.currentDiff)));
      lines.push("    changed by the patch:", ...indent(safe(conflict.patchDiff ?? "")));
    }
  }
  return lines.join("\n");
}

function indent(text: string): string[] {
  return text.split("\n").map((line) => `      ${line}`);
}
