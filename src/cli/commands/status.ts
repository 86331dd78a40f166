import type { Command } from "commander";
import { type HeldObject, type NodeStatus, nodeStatus } from "../../service/node-status.js";
import { checkKeyArgument } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";

/** `status [targets...]`: which objects this node can modify and which it only reads. */
export function registerStatus(program: Command, run: Runner) {
  program
    .command("status")
    .summary("show which targets this node can modify")
    .description(
      "List the Nomad objects this node holds keys for: targets it can modify (roaming and local key), roaming keys without a local key (read only until `init`), and its own patch requests. Targets named on the command line are also resolved and checked.",
    )
    .argument("[targets...]", "target keys to check")
    .action((targets: string[]) => run((ctx) => statusCommand(ctx, targets)));
}

async function statusCommand(ctx: CommandContext, targets: string[]) {
  for (const target of targets) checkKeyArgument(target, "a target");
  const { status, where } = await ctx.withStore(async (store, node) => ({
    status: await nodeStatus({ store }, { targets, resolve: { timeoutMs: ctx.env.resolveTimeoutMs } }),
    where: node.where,
  }));
  ctx.print(statusText(status, where), status);
}

function statusText(status: NodeStatus, where: string): string {
  const list = (items: readonly HeldObject[], line: (o: HeldObject) => string) =>
    items.length === 0 ? ["  (none)"] : items.map(line);
  return [
    `Node ${status.peerId} (${where})`,
    "Can modify (roaming and local key):",
    ...list(status.devices, (o) => `  ${o.id}  ${o.roamingKeyName}  local ${o.localId}`),
    "Read only (roaming key without a local key; run `nomad-patch init`):",
    ...list(status.roamingOnly, (o) => `  ${o.id}  ${o.roamingKeyName}`),
    "Patch requests written here:",
    ...list(status.patchRequests, (o) => `  ${o.id}  ${o.roamingKeyName}`),
    ...(status.checked.length === 0 ? [] : ["Checked targets:"]),
    ...status.checked.map(
      (t) =>
        `  ${t.id}  ${t.canModify ? "can modify" : "read only"}  ${t.module ?? "does not resolve"}${t.publishedCid ? `  ${t.publishedCid}` : ""}`,
    ),
  ].join("\n");
}
