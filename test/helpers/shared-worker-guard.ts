import type { EventEmitter } from "node:events";
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";
import { afterAll, beforeAll, vi } from "vitest";

/**
 * A project without per-file isolation runs many test files in one process, one after another: a file that
 * leaves the environment, the working directory, fake timers, process listeners, nock interceptors or
 * another HTTP agent behind would change the files after it, depending on which worker got which file. This
 * runs around every file of such a project and fails the file that leaves any of these behind, so a leak is
 * named where it is made instead of showing up as another file's flaky failure (docs/decisions.md, "CI: what a
 * suite costs").
 */
const WATCHED_EVENTS = ["exit", "SIGINT", "SIGTERM", "uncaughtException", "unhandledRejection"] as const;

/**
 * Listeners a process keeps one of for its whole life, by their function's name: the shared worker keeps the
 * modules it imported, so the first file to need one installs it and every later file finds it there. Each is
 * still a leak if the process holds it twice.
 * - `releaseHeldLocksOnExit`: the disk block cache removes the locks this process holds when it exits, one
 *   listener for all of them (src/service/disk-block-cache.ts).
 * - `onExit`: pino (Probot's logger) flushes its asynchronous streams at exit through on-exit-leak-free, one
 *   listener for all of them, which removes it when the last stream is closed or collected.
 */
const ONE_PER_PROCESS = new Set(["releaseHeldLocksOnExit", "onExit"]);

/** Where undici (Node's `fetch`) keeps the dispatcher every `fetch` goes through. */
const FETCH_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

type Listener = (...args: never[]) => unknown;

interface ProcessState {
  readonly env: string;
  readonly cwd: string;
  readonly listeners: Record<string, readonly Listener[]>;
  readonly agents: readonly unknown[];
  readonly dispatcher: unknown;
}

function processState(): ProcessState {
  return {
    env: JSON.stringify(Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    cwd: process.cwd(),
    // An emitter's `listeners` gives each listener as added, also those added with `once`.
    listeners: Object.fromEntries(
      WATCHED_EVENTS.map((event) => [event, (process as EventEmitter).listeners(event) as Listener[]]),
    ),
    agents: [http.globalAgent, https.globalAgent],
    dispatcher: (globalThis as Record<symbol, unknown>)[FETCH_DISPATCHER],
  };
}

/**
 * nock, if a file of this worker loaded it (the guard does not: loading nock turns its interception on). It is
 * CommonJS, so the import of any file puts it in Node's module cache.
 */
function loadedNock(): { activeMocks(): string[] } | undefined {
  const require = createRequire(import.meta.url);
  try {
    return require.cache[require.resolve("nock")]?.exports as { activeMocks(): string[] } | undefined;
  } catch {
    return undefined;
  }
}

function listenerLeaks(before: ProcessState, after: ProcessState): string[] {
  const leaks: string[] = [];
  for (const event of WATCHED_EVENTS) {
    const earlier = new Set(before.listeners[event]);
    const added = (after.listeners[event] ?? []).filter((listener) => !earlier.has(listener));
    const kept = added.filter((listener) => !ONE_PER_PROCESS.has(listener.name));
    if (kept.length > 0) leaks.push(`${kept.length} process "${event}" listener(s) left behind`);
    for (const name of ONE_PER_PROCESS) {
      const count = (after.listeners[event] ?? []).filter((listener) => listener.name === name).length;
      if (count > 1)
        leaks.push(`${count} process "${event}" listeners named ${name}, which a process keeps one of`);
    }
  }
  return leaks;
}

let before: ProcessState | undefined;

beforeAll(() => {
  before = processState();
});

afterAll(() => {
  const leaks: string[] = [];
  if (vi.isFakeTimers()) leaks.push("fake timers still installed");
  const pending = loadedNock()?.activeMocks() ?? [];
  if (pending.length > 0) leaks.push(`${pending.length} nock interceptor(s) still active (${pending[0]}, …)`);
  if (before) {
    const after = processState();
    if (after.env !== before.env) leaks.push("process.env changed");
    if (after.cwd !== before.cwd) leaks.push(`working directory changed to ${after.cwd}`);
    leaks.push(...listenerLeaks(before, after));
    if (after.agents.some((agent, index) => agent !== before?.agents[index]))
      leaks.push("an HTTP global agent replaced");
    // Node creates the dispatcher with the first `fetch`: only a replaced one is a leak.
    if (before.dispatcher !== undefined && after.dispatcher !== before.dispatcher)
      leaks.push("fetch's global dispatcher replaced");
  }
  if (leaks.length > 0) {
    throw new Error(
      `This file runs in a worker shared with other files and left behind: ${leaks.join("; ")}. Undo it in an afterAll/afterEach.`,
    );
  }
});
