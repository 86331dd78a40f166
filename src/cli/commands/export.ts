import type { Command } from "commander";
import { count } from "../../render/words.js";
import { exportFolder } from "../../service/export-folder.js";
import { checkKeyArgument } from "../arguments.js";
import { type CommandContext, type Runner, shellWord } from "../context.js";

/** `export <target> <dir>`: a Storage target's folder on disk, to edit and propose from. */
export function registerExport(program: Command, run: Runner) {
  program
    .command("export")
    .summary("write a Storage target's folder to disk, to edit and propose from")
    .description(
      "Fold the target as any reader does and write its folders and file bytes into <dir>, with a .nomad-patch.json marker naming the target and version, so `propose --from-folder <dir>` needs no --target.",
    )
    .argument("<target>", "the Storage target's roaming key")
    .argument("<dir>", "an empty (or new) directory")
    .option("--force", "write into a non-empty directory (same-named files are overwritten)")
    .action((target: string, dir: string, options: { force?: boolean }) =>
      run((ctx) => exportCommand(ctx, target, dir, options.force === true)),
    );
}

async function exportCommand(ctx: CommandContext, target: string, dir: string, force: boolean) {
  checkKeyArgument(target, "the target");
  const path = ctx.path(dir);
  const exported = await ctx.withStore((store) =>
    exportFolder(
      { store },
      {
        target,
        dir: path,
        force,
        maxFileBytes: ctx.env.maxBytes,
        resolve: { timeoutMs: ctx.env.resolveTimeoutMs },
        onProgress: ctx.progress,
      },
    ),
  );
  const text = [
    `Exported ${count(exported.files, "file", "files")} and ${count(exported.folders, "folder", "folders")} (${count(exported.bytes, "byte", "bytes")}) of ${exported.targetId} to ${path}`,
    ...exported.skipped.map((s) => `  skipped ${s}`),
    `Edit it, then: ${ctx.sameNode} propose --from-folder ${shellWord(dir)} --title "…"`,
  ].join("\n");
  ctx.print(text, { ...exported, dir: path });
}
