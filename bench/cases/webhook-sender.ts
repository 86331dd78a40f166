import { fork } from "node:child_process";
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
}

/**
 * Posts every send on schedule (open loop: sent when due whatever the answers) and reads each answer whole.
 * The times are on the epoch clock so that another process can line them up with its own.
 */
export async function sendOnSchedule(url: string, sends: readonly Send[]): Promise<Sent[]> {
  const epoch = () => performance.timeOrigin + performance.now();
  const started = epoch();
  return Promise.all(
    sends.map(async ({ atMs, headers, body }) => {
      const due = started + atMs;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - epoch())));
      const sent = epoch();
      const response = await fetch(url, { method: "POST", headers, body });
      await response.arrayBuffer();
      return { due, sent, got: epoch(), status: response.status };
    }),
  );
}

/**
 * The same, from a process of its own: GitHub is another machine, so the sender's timers and sockets must
 * not wait for the event loop of the app it measures (nor pass through nock's interceptors there).
 */
export function sendFromAnotherProcess(url: string, sends: readonly Send[]): Promise<Sent[]> {
  const child = fork(fileURLToPath(import.meta.url), ["--child"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise<Sent[]>((resolve, reject) => {
    child.once("message", (message) => {
      const answer = message as { sent?: Sent[]; error?: string };
      child.disconnect();
      if (answer.sent) resolve(answer.sent);
      else reject(new Error(`the sender failed: ${answer.error}`));
    });
    child.once("exit", (code) => reject(new Error(`the sender exited (${code}) before answering`)));
    child.send({ url, sends });
  });
}

if (process.argv.includes("--child") && process.send) {
  process.once("message", (message) => {
    const { url, sends } = message as { url: string; sends: Send[] };
    sendOnSchedule(url, sends).then(
      (sent) => process.send?.({ sent }),
      (error: unknown) => {
        const cause = (error as { cause?: unknown }).cause;
        process.send?.({
          error: `${String((error as Error).stack ?? error)}${cause ? `\ncaused by: ${String(cause)}` : ""}`,
        });
      },
    );
  });
}
