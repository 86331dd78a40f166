import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { moduleByName } from "../../nomad/index.js";
import { type CreatedObject, createNomadObject } from "../../service/create-nomad-object.js";
import { withKeyNamePrefixOption } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";

interface CreateOptions {
  readonly module: string;
  readonly name?: string;
  readonly keyNamePrefix?: string;
}

/** Modules whose C# repositories name every object (a folder name, a KnownId); the PeerSwarm ones do not. */
const NAMED = new Set(["storage", "wac-project", "wac-publisher", "wac-user", "generic"]);

/** `create --module … --name …`: start a Nomad object with this node as its first device. */
export function registerCreate(program: Command, run: Runner) {
  withKeyNamePrefixOption(program.command("create"))
    .summary("create a Nomad object with this node as its first device")
    .description(
      "Make the roaming and local keys with the names the C# apps use ({prefix}.Roaming.{name}, {prefix}.Local.{name}), publish an empty local stream and the module's seed value naming that local key, as a C# app creates an object.",
    )
    .requiredOption("--module <module>", "storage, wac-project, wac-publisher, wac-user, peer-swarm, …")
    .option(
      "--name <name>",
      "the object's name: the folder name for storage, the KnownId for WindowsAppCommunity",
    )
    .action((options: CreateOptions) => run((ctx) => createCommand(ctx, options)));
}

async function createCommand(ctx: CommandContext, options: CreateOptions) {
  const module = moduleByName(options.module);
  if (NAMED.has(module.name) && !options.name)
    throw new UsageError(
      `--name is needed for ${module.name}: it is part of the key names every device shares`,
    );
  const created = await ctx.withStore((store) =>
    createNomadObject({ store }, { module, name: options.name, keyNamePrefix: options.keyNamePrefix }),
  );
  ctx.print(createdText(module.name, created, ctx.sameNode), {
    target: created.keys.roaming.id,
    module: module.name,
    roamingKeyName: created.keys.roaming.name,
    localKeyName: created.keys.local.name,
    localId: created.keys.local.id,
    streamCid: created.streamCid.toString(),
    roamingCid: created.roamingCid.toString(),
  });
}

function createdText(module: string, created: CreatedObject, nomadPatch: string): string {
  return [
    `Created ${created.keys.roaming.id} (${module}):`,
    `  roaming key  ${created.keys.roaming.name}  value ${created.roamingCid}`,
    `  local key    ${created.keys.local.name}  ${created.keys.local.id}`,
    "",
    "Next: pair the bot's node (or another device) with it:",
    `  ${nomadPatch} pair send ${created.keys.roaming.id}`,
  ].join("\n");
}
