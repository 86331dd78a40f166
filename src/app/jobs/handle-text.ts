import { parseCommands, type SlashCommand } from "../../policy/index.js";
import { findKeys, isPatchLabelled } from "../find-keys.js";
import type { IssueJob } from "../job-context.js";
import { loadRepoConfig } from "../load-config.js";
import { admitRefresh } from "./admit-refresh.js";
import { repairUntrusted } from "./repair-untrusted.js";
import { reportConfigError } from "./report-config-error.js";
import { admitKeys, reviewKeys } from "./review-keys.js";
import { runCommand } from "./run-command.js";

export interface TextEvent {
  readonly text: string;
  /** The comment the text is in; undefined for the issue body. */
  readonly commentId: number | undefined;
  /** Commands count only in new comments: editing an old comment must not approve anything. */
  readonly commandsAllowed: boolean;
  readonly sender: string;
  /**
   * Who posted the text: the issue's author for its body, the comment's for a comment. Never the sender,
   * who may be someone editing another person's text: the rules judge the author.
   */
  readonly author: string | undefined;
  /** When GitHub says the text was written (the comment's `created_at`): commands count from then. */
  readonly at: string | undefined;
}

// Cheap tests before any GitHub call: a key-like word, or a line starting with a slash.
const MAYBE_KEY = /\b(?:k[0-9a-z]{40}|12D3KooW|bafz)/i;
const MAYBE_COMMAND = /^ {0,3}\/[A-Za-z]/m;

/**
 * An issue body or comment:
 * 1. nothing that looks like a key or a command: done, without calling GitHub;
 * 2. read the configuration; when it cannot be used, say so once on the issue;
 * 3. find the commands and the keys; over the sender's keys for the hour: stop (no reaction either);
 * 4. acknowledge with a reaction;
 * 5. run the commands (on the reviews already there);
 * 6. set right the bot's comments whose signature does not verify (void them, review their keys again);
 * 7. review the keys.
 */
export async function handleText(job: IssueJob, event: TextEvent): Promise<void> {
  const maybeCommand = event.commandsAllowed && MAYBE_COMMAND.test(event.text);
  if (!MAYBE_KEY.test(event.text) && !maybeCommand)
    return job.log.info("no patch key or command in the text");

  const repo = await loadRepoConfig(job.github);
  if (repo.status === "invalid") {
    // Said only where someone clearly meant the bot; an incidental key-like word stays quiet.
    const commands = event.commandsAllowed ? parseCommands(event.text) : [];
    const keys = findKeys(event.text, { offered: isPatchLabelled(job.issue.labels), max: 20 });
    if (commands.length === 0 && !keys.some((k) => k.offered)) {
      return job.log.info("configuration unusable, and nothing was offered to the bot: quiet");
    }
    await job.github.react(event.commentId, "confused");
    return reportConfigError(job, repo);
  }
  const { config } = repo;
  const source = { user: event.sender, at: event.at };
  const commands: SlashCommand[] = [];
  for (const command of event.commandsAllowed ? parseCommands(event.text, config.commands) : []) {
    // A refresh over its limit leaves no trace on GitHub: not even the reaction.
    if (command.kind !== "refresh" || (await admitRefresh(job, config, source))) commands.push(command);
  }
  const offered = commands.length > 0 || isPatchLabelled(job.issue.labels, config.labels.offer);
  const keys = findKeys(event.text, { offered, max: config.limits.maxKeysPerComment });
  if (commands.length === 0 && keys.length === 0) return job.log.info("no patch key or command after all");
  if (!(await admitKeys(job, event.sender, keys.length))) return;

  // Acknowledge what was meant for the bot at once; the review comment follows.
  if (offered || keys.some((k) => k.offered)) await job.github.react(event.commentId, "eyes");
  for (const command of commands) await runCommand(job, config, command, source);
  await repairUntrusted(job, config);
  // Marking older reviews that read as current again costs writes no one needs for a decision: a text
  // from someone who may not approve does it within the refresh limit, as a `/refresh` would.
  let admitted: Promise<boolean> | undefined;
  const mayTidy = () => (admitted ??= admitRefresh(job, config, source));
  const requests = keys.map((found) => ({ ...found, author: event.author, mayTidy }));
  await reviewKeys(job, config, event.sender, requests);
}
