import type { Command } from "commander";
import { NomadPatchError } from "../../errors.js";
import {
  checkDeliveryTarget,
  type Delivered,
  DeliveryError,
  type DeliveryInput,
  deliverToGitHub,
  parseDeliveryTarget,
} from "../../service/deliver-github.js";
import { type ProposedPatch, proposePatch } from "../../service/propose-patch.js";
import type { ValueOperation } from "../../service/propose-values.js";
import type { CommandContext, NodeInfo, Runner } from "../context.js";
import { describeCliFailure, ReportedFailure } from "../exit-codes.js";
import { deliveredText, deliverTo as deliverToTargetInbox } from "./deliver.js";
import { operationParser, type ProposeOptions, readProposal } from "./propose-options.js";

/** `propose`: write a patch request against a target this node only reads, and print its key. */
export function registerPropose(program: Command, run: Runner) {
  const operations: ValueOperation[] = [];
  program
    .command("propose")
    .summary("propose a change to someone else's Nomad object")
    .description(
      "Write the change as entries of the target's module, publish them as a patch request (a Nomad object of its own, keys Nomad.PatchRequest.*), and print its key: the first line of the output. Say what changed in one way: an edited folder (Storage), field edits (value modules), or raw entries.",
    )
    .option(
      "--target <key>",
      "the target's roaming key (default with --from-folder: the folder's export marker)",
    )
    .requiredOption("--title <text>", "a one-line title, shown on the issue")
    .option("--description <text>", "what the change does and why")
    .option("--description-file <file>", "the description, read from a file")
    .option("--from-folder <dir>", "Storage: the edited copy of the folder (see `nomad-patch export`)")
    .option(
      "--set <Field=value>",
      'value modules: set a field, e.g. Name="My App" (repeatable)',
      operationParser("set", operations),
    )
    .option(
      "--add <Field=value>",
      'add to a list: Features=x, Links=\'{"Id":"link-1",…}\' (repeatable)',
      operationParser("add", operations),
    )
    .option(
      "--remove <Field=value>",
      "remove from a list, by value or by Id (repeatable)",
      operationParser("remove", operations),
    )
    .option("--entries <file>", 'any module: raw entries, [{"TargetId", "EventId", "Content"}] in DAG-JSON')
    .option("--name <name>", "the patch request's key-name suffix (default: from the title)")
    .option(
      "--deliver <owner/repo[#issue]|inbox>",
      "post the key on GitHub: a new issue, or a comment (GITHUB_TOKEN); or `inbox`: the target's inbox over pubsub",
    )
    .action((options: ProposeOptions) => run((ctx) => proposeCommand(ctx, options, operations)));
}

async function proposeCommand(ctx: CommandContext, options: ProposeOptions, operations: ValueOperation[]) {
  const toInbox = options.deliver === "inbox";
  const deliverTo =
    options.deliver === undefined || toInbox ? undefined : parseDeliveryTarget(options.deliver);
  const { target, changes, description } = await readProposal(ctx, options, operations);
  const github = {
    token: ctx.io.env.GITHUB_TOKEN,
    baseUrl: ctx.io.env.GITHUB_API_URL,
    timeoutMs: ctx.env.callTimeoutMs,
  };
  // Before publishing: a failure after it would leave a patch key behind for every retry.
  if (deliverTo) await checkDeliveryTarget(github, deliverTo);
  const { proposed, node, inboxDelivery } = await ctx.withStore(async (store, node) => {
    const proposed = await proposePatch(
      { store },
      {
        target,
        title: options.title,
        description,
        changes,
        name: options.name,
        resolveTimeoutMs: ctx.env.resolveTimeoutMs,
        onProgress: ctx.progress,
      },
    );
    // While the node runs: the inbox's owner resolves the key from it.
    const inboxDelivery = toInbox
      ? await deliverToTargetInbox(ctx, store, {
          key: proposed.key,
          target: proposed.targetId,
          waitMs: 60_000,
        }).then(
          (delivered) => ({ delivered }),
          (error: unknown) => {
            if (!(error instanceof NomadPatchError)) throw error;
            return { error };
          },
        )
      : undefined;
    return { proposed, node, inboxDelivery };
  });
  const warnings = node.managed ? [managedNodeWarning(node)] : [];
  if (!ctx.globals.json)
    for (const warning of warnings) ctx.io.stderr.write(`nomad-patch: warning: ${warning}\n`);
  const summary = summaryLines(proposed);
  let delivered: Delivered | undefined;
  let deliveryFailure: DeliveryError | undefined;
  if (deliverTo) {
    const input: DeliveryInput = {
      to: deliverTo,
      key: proposed.key,
      title: options.title,
      description,
      summary,
    };
    try {
      delivered = await deliverToGitHub(github, input);
    } catch (error) {
      if (!(error instanceof DeliveryError)) throw error;
      deliveryFailure = error;
    }
  }
  const text = [
    proposed.key,
    `Patch request "${options.title}" published`,
    `  target:  ${proposed.targetId} (${proposed.module})`,
    `  base:    ${proposed.base?.toString() ?? "none (the target did not resolve)"}`,
    `  version: ${proposed.cid.toString()}`,
    `  entries: ${proposed.entries.length}`,
    ...summary.map((line) => `    ${line}`),
    inboxDelivery
      ? "delivered" in inboxDelivery
        ? deliveredText(inboxDelivery.delivered)
        : `Not delivered to the inbox (${inboxDelivery.error.message}): deliver it again with \`${ctx.sameNode} deliver ${proposed.key} --inbox ${proposed.targetId}\``
      : delivered
        ? `Posted on ${delivered.url}`
        : deliveryFailure
          ? `Not posted on GitHub: post this line on ${options.deliver} yourself: Patch: \`${proposed.key}\``
          : "Post the key on the target's issue tracker (or use --deliver owner/repo). Keep this node online until it is applied.",
  ].join("\n");
  ctx.print(text, {
    key: proposed.key,
    cid: proposed.cid.toString(),
    target: proposed.targetId,
    module: proposed.module,
    base: proposed.base?.toString() ?? null,
    localKey: proposed.localKey,
    keyNames: proposed.keyNames,
    entries: proposed.record.entries.map((cid, i) => ({ cid: cid.toString(), ...proposed.entries[i] })),
    folderChanges: proposed.folderChanges ?? null,
    delivered: delivered ?? (inboxDelivery && "delivered" in inboxDelivery ? inboxDelivery.delivered : null),
    warnings,
    ...(deliveryFailure ? { deliveryError: describeCliFailure(deliveryFailure) } : {}),
    ...(inboxDelivery && "error" in inboxDelivery
      ? { deliveryError: describeCliFailure(inboxDelivery.error) }
      : {}),
  });
  // The key is printed above: what is left to report is why posting failed, and the exit code.
  if (deliveryFailure) throw new ReportedFailure(deliveryFailure);
  if (inboxDelivery && "error" in inboxDelivery) throw new ReportedFailure(inboxDelivery.error);
}

/**
 * The managed node stops when the command ends, and with it the only copy of the patch's blocks: the
 * operator's `show` would wait for them and time out. Say so now, and how to keep them online.
 */
function managedNodeWarning(node: NodeInfo): string {
  const daemon = node.repoPath ? `IPFS_PATH=${node.repoPath} ${node.binary ?? "ipfs"} daemon` : "ipfs daemon";
  return `this patch was published from the managed node, which stops when this command ends, and its entries are on no other node: the operator cannot review or apply it until a node holding them is online. Keep one online until it is applied: run \`${daemon}\` (or propose through your own running Kubo with --kubo / KUBO_API_URL)`;
}

function summaryLines(proposed: ProposedPatch): string[] {
  if (proposed.folderChanges) return proposed.folderChanges.map((c) => `${c.change} ${c.kind} ${c.path}`);
  // Relative to the target: a key in a GitHub post would be one more key for the bot to look at.
  const where = (id: string) =>
    id === proposed.targetId ? "the target" : id.slice(proposed.targetId.length + 1);
  return proposed.entries.map((e) => `${e.eventId} on ${where(e.targetId)}`);
}
