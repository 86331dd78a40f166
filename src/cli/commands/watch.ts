import type { Command } from "commander";
import { decideByRules, type RulesDecision } from "../../service/inbox/decide-by-rules.js";
import { markInboxItem } from "../../service/inbox/inbox-record.js";
import { type InboxArrival, inboxLimitsFrom, openInbox } from "../../service/inbox/open-inbox.js";
import { openNodeJournal } from "../../service/node-journal.js";
import { reviewLimits } from "../../service/repo-settings.js";
import { checkKeyArgument } from "../arguments.js";
import type { CommandContext, Runner } from "../context.js";
import { inboxTargets, readRulesFile, untilStopped } from "../inbox-targets.js";

interface WatchOptions {
  readonly config?: string;
}

/** `watch [targets...] --config FILE`: decide what arrives in the inboxes by the rules, unattended. */
export function registerWatch(program: Command, run: Runner) {
  program
    .command("watch")
    .summary("listen on the targets' inboxes and apply or reject what arrives by the rules, unattended")
    .description(
      "Listen on the inboxes of the targets named (default: the rules file's targets, else the targets this node can modify), review each patch key that arrives as the app does, and decide it by the rules file (the app's .github/nomad-patch.yml format): apply it when every rule allows it (exactly once, with the apply journal), reject it when a rule refuses it. A patch that needs a person (a rule says review, a conflict, a refusal) is left in the inbox for `nomad-patch inbox` and `nomad-patch apply`. Every decision is printed with the patch CID (--json: one JSON object a line). Stops on SIGINT or SIGTERM.",
    )
    .argument("[targets...]", "targets whose inbox to watch")
    .option("--config <file>", "the rules file (default: no rules, so every patch waits for a person)")
    .action((targets: string[], options: WatchOptions) => run((ctx) => watchCommand(ctx, targets, options)));
}

async function watchCommand(ctx: CommandContext, named: string[], options: WatchOptions) {
  const configFile = options.config === undefined ? undefined : ctx.path(options.config);
  // Checked before any node is reached: a wrong target or file is a usage error, not a listening process.
  for (const target of named) checkKeyArgument(target, "a target");
  const fileConfig = configFile === undefined ? undefined : await readRulesFile(configFile, named);
  const log = (line: string) => ctx.io.stderr.write(`${new Date().toISOString()} ${line}\n`);
  await ctx.withStore(async (store) => {
    const targets = fileConfig
      ? named.length > 0
        ? await inboxTargets(store, named, { timeoutMs: ctx.env.resolveTimeoutMs })
        : fileConfig.targets.map((t) => t.id)
      : await inboxTargets(store, named, { timeoutMs: ctx.env.resolveTimeoutMs });
    const config = fileConfig ?? (await readRulesFile(undefined, targets));
    const journal = await openNodeJournal(store, ctx.dataDir);
    const limits = reviewLimits(config, ctx.env);
    let decisions: Promise<unknown> = Promise.resolve();
    const decide = async (arrival: InboxArrival) => {
      let decision: RulesDecision;
      try {
        decision = await decideByRules(
          { store, journal },
          { key: arrival.key, config, limits, dataDir: ctx.dataDir },
        );
      } catch (error) {
        log(
          `${arrival.key} not decided now (it stays new, and is taken again at the next start): ${(error as Error).message}`,
        );
        return;
      }
      const { status, cid, reason } = decision;
      await markInboxItem(ctx.dataDir, arrival.target, arrival.key, { status, cid, reason });
      report(ctx, arrival, decision);
    };
    const inbox = await openInbox(
      { store },
      {
        targets,
        dataDir: ctx.dataDir,
        limits: inboxLimitsFrom(ctx.env),
        log,
        // One decision at a time: applies to one target are serialised by the journal anyway.
        onKey: (arrival) => {
          const next = decisions.then(() => decide(arrival));
          decisions = next.catch(() => {});
          return next;
        },
      },
    );
    log(`watching ${targets.length} inbox(es): ${[...inbox.topics.values()].join(", ")}`);
    await untilStopped(ctx.io.interrupted);
    log("stopping: finishing the decision under way");
    await inbox.close();
    await decisions;
    const counts = inbox.counts();
    if (ctx.globals.json) ctx.io.stdout.write(`${JSON.stringify({ event: "stopped", counts })}\n`);
    else
      ctx.io.stdout.write(
        `Stopped. Messages: ${counts.received} received, ${counts.accepted} taken, ${counts.duplicate} duplicate, ${counts.rateLimited} over the rate, ${counts.overCap} over the pending cap, ${counts.malformed + counts.oversized + counts.otherTarget} not messages for these inboxes; ${counts.invalid} keys invalid\n`,
      );
  });
}

/** One line per decision, with the patch CID: the log an operator reads to know what the rules did. */
function report(ctx: CommandContext, arrival: InboxArrival, decision: RulesDecision) {
  const { status, key, cid, reason, outcome } = decision;
  if (ctx.globals.json) {
    const line = {
      event: "decision",
      status,
      key,
      cid: cid ?? null,
      target: arrival.target,
      from: arrival.from,
      reason,
    };
    ctx.io.stdout.write(`${JSON.stringify(outcome ? { ...line, roamingCid: outcome.roamingCid } : line)}\n`);
    return;
  }
  const result = outcome ? ` → roaming value ${outcome.roamingCid}` : "";
  const label = status === "reviewed" ? "waiting for a person" : status;
  ctx.io.stdout.write(
    `${new Date().toISOString()} ${label} ${key} ${cid ?? "(no version)"}${result}: ${reason}\n`,
  );
}
