import { fork } from "node:child_process";
import { openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { request } from "node:http";
import { fileURLToPath } from "node:url";

/** One delivery to send: when (ms after the start), its headers and its body. */
export interface Send {
  readonly atMs: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the sender saw of one send, in `performance.timeOrigin + performance.now()` ms (the epoch). */
export interface Sent {
  readonly due: number;
  readonly sent: number;
  readonly got: number;
  readonly status: number;
  /** With `probe`: the same on the monotonic clock, with the sender's own scheduler counters then. */
  readonly probe?: SenderProbe;
}

/**
 * One send on the monotonic clock (`process.hrtime`, ms), which every thread and process of the machine
 * shares, and the sending thread's scheduler counters when it sent and when it had the answer whole
 * (`/proc/thread-self/schedstat`: ms on a core, ms runnable and waiting for one).
 */
export interface SenderProbe {
  readonly due: number;
  readonly sent: number;
  readonly got: number;
  readonly cpuAtSent: number;
  readonly waitAtSent: number;
  readonly cpuAtGot: number;
  readonly waitAtGot: number;
}

/** Every thread of a process, summed: ms on a core and ms waiting for one. */
export interface ThreadsUsage {
  readonly threads: number;
  readonly cpuMs: number;
  readonly waitMs: number;
}

export interface SendOptions {
  /** Record each send's `probe`, and the sender's own usage over the burst (`onUsage`). */
  readonly probe?: boolean;
  /** Told, with `probe`, what every thread of the sender used between the first send and the last answer. */
  readonly onUsage?: (usage: ThreadsUsage) => void;
}

const mono = () => Number(process.hrtime.bigint()) / 1e6;

/** `[ms on a core, ms waiting for one]` from a `schedstat` file. */
export function readSchedstat(path: string): [number, number] {
  const [cpu = "0", wait = "0"] = readFileSync(path, "latin1").split(" ");
  return [Number(cpu) / 1e6, Number(wait) / 1e6];
}

/** A `schedstat` file kept open and read again from its start, which the kernel writes afresh: cheaper. */
function openSchedstat(path: string): () => [number, number] {
  const fd = openSync(path, "r");
  const buffer = Buffer.alloc(128);
  return () => {
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const [cpu = "0", wait = "0"] = buffer.toString("latin1", 0, length).split(" ");
    return [Number(cpu) / 1e6, Number(wait) / 1e6];
  };
}

/** Every thread of process `pid` (`self` for this one), summed; a thread gone meanwhile is left out. */
export function usageOfProcess(pid: number | "self"): ThreadsUsage {
  let threads = 0;
  let cpuMs = 0;
  let waitMs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [cpu, wait] = readSchedstat(`/proc/${pid}/task/${tid}/schedstat`);
      threads++;
      cpuMs += cpu;
      waitMs += wait;
    } catch {
      // ended between the listing and the read
    }
  }
  return { threads, cpuMs, waitMs };
}

/**
 * Posts every send on schedule (open loop: sent when due whatever the answers) and reads each answer whole.
 * The times are on the epoch clock so that another process can line them up with its own.
 */
export async function sendOnSchedule(
  url: string,
  sends: readonly Send[],
  options: SendOptions = {},
): Promise<Sent[]> {
  const epoch = () => performance.timeOrigin + performance.now();
  const started = epoch();
  const monoStarted = mono();
  const before = options.probe ? usageOfProcess("self") : undefined;
  const own = options.probe ? openSchedstat("/proc/thread-self/schedstat") : undefined;
  const answers = await Promise.all(
    sends.map(async ({ atMs, headers, body }) => {
      const due = started + atMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - epoch())));
      const sent = epoch();
      const monoSent = mono();
      const atSent = own?.();
      const status = await post(url, headers, body);
      const got = epoch();
      const monoGot = mono();
      if (atSent === undefined) return { due, sent, got, status };
      const atGot = own!();
      const probe: SenderProbe = {
        due: monoStarted + atMs,
        sent: monoSent,
        got: monoGot,
        cpuAtSent: atSent[0],
        waitAtSent: atSent[1],
        cpuAtGot: atGot[0],
        waitAtGot: atGot[1],
      };
      return { due, sent, got, status, probe };
    }),
  );
  if (before) {
    const after = usageOfProcess("self");
    options.onUsage?.({
      threads: after.threads,
      cpuMs: after.cpuMs - before.cpuMs,
      waitMs: after.waitMs - before.waitMs,
    });
  }
  return answers;
}

/**
 * One delivery on a connection of its own, closed after the answer, as GitHub sends each one: a kept-alive
 * connection would spare the server its accepts, and the sender's reuse of one the server was just closing
 * (Node's `keepAliveTimeout`) failed the burst with ECONNRESET. Resolves with the status once the answer is
 * read whole.
 */
function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: "POST",
        agent: false,
        headers: { ...headers, connection: "close", "content-length": String(Buffer.byteLength(body)) },
      },
      (response) => {
        response.on("error", reject);
        response.resume();
        response.once("end", () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

/**
 * The same, from a process of its own: GitHub is another machine, so the sender's timers and sockets must
 * not wait for the event loop of the app it measures (nor pass through nock's interceptors there).
 */
export function sendFromAnotherProcess(
  url: string,
  sends: readonly Send[],
  options: SendOptions = {},
): Promise<Sent[]> {
  const child = fork(fileURLToPath(import.meta.url), ["--child"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise<Sent[]>((resolve, reject) => {
    child.once("message", (message) => {
      const answer = message as { sent?: Sent[]; usage?: ThreadsUsage; error?: string };
      child.disconnect();
      if (answer.usage) options.onUsage?.(answer.usage);
      if (answer.sent) resolve(answer.sent);
      else reject(new Error(`the sender failed: ${answer.error}`));
    });
    child.once("exit", (code) => reject(new Error(`the sender exited (${code}) before answering`)));
    child.send({ url, sends, probe: options.probe === true });
  });
}

if (process.argv.includes("--child") && process.send) {
  process.once("message", (message) => {
    const { url, sends, probe } = message as { url: string; sends: Send[]; probe: boolean };
    let usage: ThreadsUsage | undefined;
    sendOnSchedule(url, sends, { probe, onUsage: (u) => (usage = u) }).then(
      (sent) => process.send?.({ sent, usage }),
      (error: unknown) => {
        const cause = (error as { cause?: unknown }).cause;
        process.send?.({
          error: `${String((error as Error).stack ?? error)}${cause ? `\ncaused by: ${String(cause)}` : ""}`,
        });
      },
    );
  });
}
