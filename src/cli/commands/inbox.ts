import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { inboxTopic } from "../../patch-request/inbox-message.js";
import { type InboxItem, readInboxRecord } from "../../service/inbox/inbox-record.js";
import { type InboxCounts, inboxLimitsFrom, openInbox } from "../../service/inbox/open-inbox.js";
import { openNodeJournal } from "../../service/node-journal.js";
import { checkKeyArgument } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";
import { inboxTargets, untilStopped } from "../inbox-targets.js";

interface InboxOptions {
  readonly listen?: string;
  readonly count?: string;
}

export interface InboxListing {
  readonly target: string;
  readonly topic: string;
  readonly items: readonly InboxItem[];
}

/** `inbox [targets...]`: what arrived in this node's inboxes, with each patch's status. */
export function registerInbox(program: Command, run: Runner) {
  program
    .command("inbox")
    .summary("list the patch keys delivered to this node's inboxes, with their status")
    .description(
      "List what arrived in the inboxes of the targets named (default: the targets this node can modify, and every inbox recorded in the data directory), as recorded by `watch` or the app: each key with its status (new, reviewed: waiting for a person, applied, rejected, refused, invalid), version, title and sender. With --listen, receive for that long first (pubsub keeps nothing for later, so only what is delivered while something listens arrives).",
    )
    .argument("[targets...]", "targets whose inbox to list")
    .option("--listen <seconds>", "receive deliveries for this long before listing")
    .option("--count <n>", "with --listen: stop once this many keys arrived")
    .action((targets: string[], options: InboxOptions) => run((ctx) => inboxCommand(ctx, targets, options)));
}

async function inboxCommand(ctx: CommandContext, named: string[], options: InboxOptions) {
  // Checked before any node is reached: a typo is a usage error, not "no Kubo answers".
  for (const target of named) checkKeyArgument(target, "a target");
  if (options.count !== undefined && options.listen === undefined)
    throw new UsageError("--count goes with --listen: without a listen nothing arrives to count");
  const listenMs =
    options.listen === undefined ? undefined : positive(options.listen, "--listen", 86_400) * 1000;
  const count = options.count === undefined ? undefined : positive(options.count, "--count", 100_000);
  const result = await ctx.withStore(async (store) => {
    const targets = await inboxTargets(store, named, {
      dataDir: ctx.dataDir,
      timeoutMs: ctx.env.resolveTimeoutMs,
    });
    let counts: InboxCounts | undefined;
    if (listenMs !== undefined) {
      let arrived = 0;
      let reached: () => void = () => {};
      const enough = new Promise<void>((resolve) => (reached = resolve));
      const inbox = await openInbox(
        { store },
        {
          targets,
          dataDir: ctx.dataDir,
          limits: inboxLimitsFrom(ctx.env),
          log: ctx.progress,
          onKey: () => {
            arrived++;
            if (count !== undefined && arrived >= count) reached();
          },
        },
      );
      ctx.progress(`listening on ${targets.length} inbox(es) for ${listenMs / 1000} s…`);
      let timer: NodeJS.Timeout | undefined;
      const listened = new AbortController();
      await Promise.race([
        enough,
        untilStopped(ctx.io.interrupted, listened.signal),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, listenMs))),
      ]);
      clearTimeout(timer);
      listened.abort();
      await inbox.close();
      counts = inbox.counts();
    }
    const journal = await openNodeJournal(store, ctx.dataDir);
    const listings: InboxListing[] = [];
    for (const target of targets) {
      const { items } = await readInboxRecord(ctx.dataDir, target);
      // An apply made by hand (`nomad-patch apply`) is in the journal, not in the inbox record.
      const withApplies = await Promise.all(
        items.map(async (item) =>
          item.cid !== undefined &&
          item.status !== "applied" &&
          (await journal.get(item.cid))?.state === "done"
            ? { ...item, status: "applied" as const }
            : item,
        ),
      );
      listings.push({ target, topic: inboxTopic(target), items: withApplies });
    }
    return { inboxes: listings, ...(counts ? { counts } : {}) };
  });
  ctx.print(inboxText(result.inboxes), result);
}

function inboxText(inboxes: readonly InboxListing[]): string {
  if (inboxes.length === 0) return "No inboxes: this node holds no target (name one, or `init` it)";
  return inboxes
    .flatMap((inbox) => [
      `Inbox of ${inbox.target} (${inbox.items.length} key(s))`,
      ...(inbox.items.length === 0 ? ["  (nothing arrived)"] : []),
      ...inbox.items.map((item) =>
        [
          `  ${item.key}  ${item.status === "reviewed" ? "reviewed, waiting for a person" : item.status}`,
          `    ${item.title === undefined ? "" : `"${item.title}"  `}${item.cid ?? "(not resolved yet)"}  from ${item.from}  ${item.arrivedAt}`,
          ...(item.reason === undefined ? [] : [`    ${item.reason}`]),
        ].join("\n"),
      ),
    ])
    .join("\n");
}

function positive(text: string, option: string, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new UsageError(`${option} takes a whole number from 1 to ${max}, got ${JSON.stringify(text)}`);
  return value;
}
