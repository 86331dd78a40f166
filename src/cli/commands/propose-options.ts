import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import type { ProposedChanges } from "../../service/propose-patch.js";
import { EXPORT_MARKER } from "../../service/propose-storage-read.js";
import type { ValueOperation } from "../../service/propose-values.js";
import { checkKeyArgument } from "../arguments.js";
import type { CommandContext } from "../context.js";

export interface ProposeOptions {
  readonly target?: string;
  readonly title: string;
  readonly description?: string;
  readonly descriptionFile?: string;
  readonly fromFolder?: string;
  readonly entries?: string;
  readonly name?: string;
  readonly deliver?: string;
}

/** `Field=value` → an operation; collected in command-line order, since order can matter. */
export function operationParser(op: ValueOperation["op"], into: ValueOperation[]) {
  return (text: string) => {
    const at = text.indexOf("=");
    if (at <= 0) throw new UsageError(`--${op} takes Field=value, got ${JSON.stringify(text)}`);
    into.push({ op, field: text.slice(0, at), value: text.slice(at + 1) });
    return into;
  };
}

/** Exactly one way of saying what changed, and the target (from the option or the export marker). */
export async function readProposal(
  ctx: CommandContext,
  options: ProposeOptions,
  operations: readonly ValueOperation[],
): Promise<{ target: string; changes: ProposedChanges; description: string }> {
  const ways = [options.fromFolder, options.entries, operations.length > 0 ? "ops" : undefined];
  if (ways.filter((w) => w !== undefined).length !== 1)
    throw new UsageError(
      "Say what changed in one way: --from-folder DIR, --entries FILE, or --set/--add/--remove",
    );
  const description =
    options.descriptionFile !== undefined
      ? await readFile(ctx.path(options.descriptionFile), "utf8")
      : (options.description ?? "");
  if (options.target !== undefined) checkKeyArgument(options.target, "--target");
  if (options.fromFolder !== undefined) {
    const dir = ctx.path(options.fromFolder);
    const target = options.target ?? (await markerTarget(dir));
    return { target, changes: { kind: "folder", dir }, description };
  }
  if (!options.target) throw new UsageError("--target <key> is required");
  if (options.entries !== undefined) {
    const file = ctx.path(options.entries);
    const text = await readFile(file, "utf8").catch(() => {
      throw new UsageError(`Cannot read ${file}`);
    });
    return {
      target: options.target,
      changes: { kind: "entries", text, source: options.entries },
      description,
    };
  }
  return { target: options.target, changes: { kind: "values", operations }, description };
}

async function markerTarget(dir: string): Promise<string> {
  const text = await readFile(join(dir, EXPORT_MARKER), "utf8").catch(() => undefined);
  const target = text === undefined ? undefined : (JSON.parse(text) as { target?: unknown }).target;
  if (typeof target !== "string")
    throw new UsageError(`--target <key> is required: ${dir} was not made by \`nomad-patch export\``);
  return target;
}
