import type { PatchReview, Problem } from "../patch-request/change-model.js";
import type { Paint } from "./ansi.js";
import { collectWarnings } from "./collect-warnings.js";
import { driftLines } from "./drift-lines.js";
import { reviewStatus } from "./review-status.js";
import { summaryParts } from "./summary-parts.js";
import { stripTerminalControls } from "./terminal-safe.js";
import { DEFAULT_WIDTH } from "./text-options.js";
import { wrapLine } from "./wrap-line.js";

/** One line of untrusted text, with every terminal control removed. */
export const safe = (text: string): string => stripTerminalControls(text);

/** The terminal header: the same facts as the Markdown one, and the exact apply command. */
export function textHeaderLines(
  review: PatchReview,
  p: Paint,
  width = DEFAULT_WIDTH,
  command = "nomad-patch",
): string[] {
  const status = reviewStatus(review);
  const { patch, target } = review;
  const colour = status.state === "ready" ? p.green : status.state === "needs-review" ? p.yellow : p.red;
  const name = target.name ? `, ${safe(target.name)}` : "";
  const { scope, effects } = summaryParts(review);
  const lines = [
    p.bold(`Patch request: ${safe(patch.title) || "(untitled)"}`),
    `Status:   ${colour(p.bold(status.label.toUpperCase()))}  ${status.explanation}`,
    `Target:   ${safe(target.id)} (${safe(target.module)}${name})`,
    `Key:      ${safe(patch.key)}`,
    `CID:      ${safe(patch.cid)}`,
    `Result:   ${review.predictedResultCid ? safe(review.predictedResultCid) : "cannot be predicted"}`,
    `Base:     ${patch.base ? `${safe(patch.base)} (the target's version the author saw)` : "none given"}`,
    `From:     ${patch.sources.length > 0 ? patch.sources.map(safe).join(", ") : "no device named"}`,
    `Summary:  ${scope}: ${effects}`,
  ];
  const warnings = collectWarnings(review);
  if (warnings.length > 0)
    lines.push("", p.yellow(p.bold("Warnings")), ...problems(warnings, review, p.yellow("!")));
  if (review.refusals.length > 0) {
    lines.push("", p.red(p.bold("Refused")), ...problems(review.refusals, review, p.red("✗")));
  }
  const blockers = review.blockers ?? [];
  if (blockers.length > 0) {
    lines.push(
      "",
      p.red(p.bold("Blocked (an apply is refused until this clears)")),
      ...problems(blockers, review, p.red("■")),
    );
  }
  if (review.publishDrift) {
    lines.push(
      "",
      p.yellow(
        p.bold(
          `Beyond this patch, publishing would change (published ${safe(review.publishDrift.publishedCid)} → predicted result)`,
        ),
      ),
      // Values in full, wrapped: the terminal has room for what the Markdown header must shorten.
      ...driftLines(review.publishDrift.changes, Number.POSITIVE_INFINITY).flatMap((line) => {
        const [first = "", ...rest] = wrapLine(`  ~ ${safe(line)}`, width, "    ");
        return [`  ${p.yellow("~")}${first.slice(3)}`, ...rest];
      }),
      review.publishDrift.allowed
        ? "  This target allows it (allowDivergentPublish: true)."
        : "  Name the missing device under the target's sources (or pair it); to publish anyway, set allowDivergentPublish: true on the target or pass --allow-divergent-publish.",
    );
  }
  if (status.state === "ready" || status.state === "needs-review") {
    const apply = `${safe(command)} apply ${safe(patch.key)} --expect ${safe(patch.cid)} --expect-result ${safe(review.predictedResultCid ?? "")}`;
    lines.push("", `To apply exactly this: ${p.cyan(apply)}`);
  }
  return lines;
}

function problems(list: readonly Problem[], review: PatchReview, mark: string): string[] {
  return list.map((problem) => {
    const message = safe(problem.message);
    if (problem.entryIndex === undefined) return `  ${mark} ${message}`;
    const entry = review.entries.find((candidate) => candidate.index === problem.entryIndex);
    return `  ${mark} entry ${problem.entryIndex}${entry ? ` (${safe(entry.eventId)})` : ""}: ${message}`;
  });
}
