import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { type DeliveredToInbox, deliverToInbox } from "../../service/inbox/deliver-inbox.js";
import { checkKeyArgument } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";

interface DeliverOptions {
  readonly inbox: string;
  readonly wait: string;
}

/** `deliver <key> --inbox <target>`: drop a patch key in a target's inbox over pubsub. */
export function registerDeliver(program: Command, run: Runner) {
  program
    .command("deliver")
    .summary("deliver a patch request key to a target's inbox, without GitHub")
    .description(
      "Check that the key is a patch request for the target, wait until some node listens on the target's inbox (a pubsub topic: the operator's `nomad-patch watch`, or the app), and publish the key there once. Delivering again is harmless: the inbox takes a key once.",
    )
    .argument("<key>", "the patch request key")
    .requiredOption("--inbox <target>", "the target whose inbox to deliver to")
    .option("--wait <seconds>", "how long to wait for someone listening", "60")
    .action((key: string, options: DeliverOptions) => run((ctx) => deliverCommand(ctx, key, options)));
}

async function deliverCommand(ctx: CommandContext, key: string, options: DeliverOptions) {
  checkKeyArgument(key, "the patch request key");
  checkKeyArgument(options.inbox, "--inbox");
  const waitMs = waitOption(options.wait);
  const delivered = await ctx.withStore((store) =>
    deliverTo(ctx, store, { key, target: options.inbox, waitMs }),
  );
  ctx.print(deliveredText(delivered), delivered);
}

/** Shared with `propose --deliver inbox`. */
export function deliverTo(
  ctx: CommandContext,
  store: Parameters<typeof deliverToInbox>[0]["store"],
  input: { readonly key: string; readonly target: string; readonly waitMs: number },
): Promise<DeliveredToInbox> {
  ctx.progress(`waiting for someone listening on the inbox of ${input.target}…`);
  return deliverToInbox({ store }, { ...input, resolveTimeoutMs: ctx.env.resolveTimeoutMs });
}

export function deliveredText(delivered: DeliveredToInbox): string {
  return `Delivered ${delivered.key} to the inbox of ${delivered.target} (${delivered.peers.length} node(s) listening on ${delivered.topic})`;
}

export function waitOption(text: string): number {
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600)
    throw new UsageError(`--wait takes whole seconds from 1 to 3600, got ${JSON.stringify(text)}`);
  return seconds * 1000;
}
