import { afterAll, beforeAll, vi } from "vitest";

/**
 * A project without per-file isolation runs many test files in one process, one after another: a file that
 * leaves the environment, the working directory, fake timers or process listeners changed would change the
 * files after it, depending on which worker got which file. This runs around every file of such a project
 * and fails the file that leaves any of these behind, so a leak is named where it is made instead of showing
 * up as another file's flaky failure (docs/decisions.md, "CI: what a suite costs").
 */
const WATCHED_EVENTS = ["exit", "SIGINT", "SIGTERM", "uncaughtException", "unhandledRejection"] as const;

interface ProcessState {
  readonly env: string;
  readonly cwd: string;
  readonly listeners: Record<string, number>;
}

function processState(): ProcessState {
  return {
    env: JSON.stringify(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    cwd: process.cwd(),
    listeners: Object.fromEntries(WATCHED_EVENTS.map((event) => [event, process.listenerCount(event)])),
  };
}

let before: ProcessState | undefined;

beforeAll(() => {
  before = processState();
});

afterAll(() => {
  const leaks: string[] = [];
  if (vi.isFakeTimers()) leaks.push("fake timers still installed");
  if (before) {
    const after = processState();
    if (after.env !== before.env) leaks.push("process.env changed");
    if (after.cwd !== before.cwd) leaks.push(`working directory changed to ${after.cwd}`);
    for (const event of WATCHED_EVENTS) {
      const added = (after.listeners[event] ?? 0) - (before.listeners[event] ?? 0);
      if (added > 0) leaks.push(`${added} process "${event}" listener(s) left behind`);
    }
  }
  if (leaks.length > 0) {
    throw new Error(
      `This file runs in a worker shared with other files and left behind: ${leaks.join("; ")}. Undo it in an afterAll/afterEach.`,
    );
  }
});
