import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { moduleByName } from "../../nomad/index.js";
import { type InitializedDevice, initDevice } from "../../service/init-device.js";
import { checkKeyArgument, withKeyNamePrefixOption } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";

interface InitOptions {
  readonly roamingKeyFile?: string;
  readonly name?: string;
  readonly module?: string;
  readonly keyNamePrefix?: string;
}

/** `init <target>`: make this node a device of the target and say what the operator must pair. */
export function registerInit(program: Command, run: Runner) {
  withKeyNamePrefixOption(program.command("init"))
    .summary("set this node up as a device (the bot) of a target")
    .description(
      "Import the target's roaming key (as `ipfs key export` writes it) under the module's key name, create the matching local key, publish an empty stream under it, and print what the operator must pair.",
    )
    .argument("<target>", "the target's roaming key")
    .option("--roaming-key-file <file>", "the roaming private key, from `ipfs key export <name>` on a device")
    .option("--name <name>", "the key-name suffix: the folder name (default) or the object's KnownId")
    .option("--module <module>", "the target's module, when its roaming value does not resolve")
    .action((target: string, options: InitOptions) => run((ctx) => initCommand(ctx, target, options)));
}

async function initCommand(ctx: CommandContext, target: string, options: InitOptions) {
  checkKeyArgument(target, "the target");
  // As `create`: an unknown module is a usage error before any node is reached.
  if (options.module !== undefined) moduleByName(options.module);
  const roamingKey =
    options.roamingKeyFile === undefined
      ? undefined
      : await readFile(ctx.path(options.roamingKeyFile)).catch(() => {
          throw new UsageError(`Cannot read the key file ${options.roamingKeyFile}`);
        });
  const device = await ctx.withStore((store) =>
    initDevice(
      { store },
      {
        target,
        roamingKey,
        name: options.name,
        module: options.module,
        keyNamePrefix: options.keyNamePrefix,
        resolve: { timeoutMs: ctx.env.resolveTimeoutMs },
      },
    ),
  );
  ctx.print(instructions(device), device);
}

/** Exactly what to pair, and why nothing works until it is. */
export function instructions(device: InitializedDevice): string {
  const entry = JSON.stringify(device.pairingEntry, null, 2).replace(/\n/g, "\n    ");
  return [
    `This node is now a device of ${device.targetId} (${device.module}):`,
    `  roaming key  ${device.roamingKeyName}${device.importedRoamingKey ? " (imported)" : " (already here)"}`,
    `  local key    ${device.localKeyName}${device.createdLocalKey ? " (created, empty stream published)" : " (already here)"}`,
    "",
    "One more step, on one of your existing devices: add this node's local key as a source.",
    `  local key id to pair: ${device.localId}`,
    "",
    "That is a SourceAdd entry in that device's local event stream, whose content is the key id as a string:",
    `    ${entry}`,
    "Pairing writes it: run `nomad-patch pair send <target>` on that device (or pair from a C# app) and",
    "`nomad-patch pair receive` here with the line it prints. Until then, applies from this node are not",
    "part of the target as your other devices fold it.",
  ].join("\n");
}
