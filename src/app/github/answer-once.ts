import { splitSignature } from "../../render/marker.js";
import type { IssueGitHub } from "./issue-github.js";

/**
 * The GitHub port of a job replayed after a restart: the job may have posted some of its comments before
 * the stop cut it short (its record is removed only when it is done), so a comment whose text the bot
 * already posted on the issue since the event (by GitHub's times) is not posted again; the earlier one's
 * id is returned. Reviews and decisions are found by their markers already; this covers every other
 * answer (a reply about keys that could not be reviewed, a refused approval, a failure status) without
 * each job having to know it was replayed. Only replays look: a new event with the same answer as an
 * earlier one is answered. The issue's comments are read once, at the first comment, so what this run
 * posts itself is never taken for an earlier answer. Texts are compared without their signature, which
 * the port below adds when it writes.
 */
export function answerOnce(
  github: IssueGitHub,
  since: string | undefined,
  botLogin: () => Promise<string>,
): IssueGitHub {
  const from = Date.parse(since ?? "");
  let earlier: Promise<Map<string, number>> | undefined;
  const answered = () => {
    earlier ??= Promise.all([github.listComments(), botLogin()]).then(([comments, bot]) => {
      const bodies = new Map<string, number>();
      for (const c of comments) {
        const after = !Number.isFinite(from) || Date.parse(c.createdAt) >= from;
        const text = splitSignature(c.body).unsigned;
        if (c.login === bot && c.userType === "Bot" && after && !bodies.has(text)) bodies.set(text, c.id);
      }
      return bodies;
    });
    return earlier;
  };
  return {
    ...github,
    async createComment(body) {
      const posted = (await answered()).get(splitSignature(body).unsigned);
      return posted ?? github.createComment(body);
    },
  };
}
