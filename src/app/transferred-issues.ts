/**
 * The issues transferred away from a repository this process serves, by lane (`owner/repo#number`): after
 * `issues.transferred`, a job still waiting in the old issue's lane would read the old repository's
 * configuration and permissions and write on a number that now only redirects, so it does nothing.
 * In memory and bounded: the oldest are forgotten first. After a restart, a poll of a transferred issue
 * finds it moved by GitHub's answer instead (`IssueFacts.answeredAs`).
 */
export interface TransferredIssues {
  add(lane: string): void;
  has(lane: string): boolean;
}

export function createTransferredIssues(max = 10_000): TransferredIssues {
  const lanes = new Set<string>();
  return {
    add(lane) {
      lanes.delete(lane);
      // Set order is insertion order: the first one is the oldest.
      while (lanes.size >= max) lanes.delete(lanes.values().next().value as string);
      lanes.add(lane);
    },
    has: (lane) => lanes.has(lane),
  };
}
