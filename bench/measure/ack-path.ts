import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { stat } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { percentile } from "./timing.js";

/** Where an acknowledgement's time can go besides the event loop, counted while a task runs. */
export interface AckPath {
  /** Requests the in-process HTTP server answered, and how long each took from its headers to its end. */
  readonly served: number;
  readonly serverP50Ms: number;
  readonly serverP99Ms: number;
  readonly serverMaxMs: number;
  /** Connections the in-process HTTP server accepted (a new TCP connection per request when none is idle). */
  readonly accepted: number;
  /**
   * A `stat` issued one after another: its latency is a turn of the event loop plus the wait for one of
   * libuv's threadpool threads (4 by default), where the disk queue's writes wait too.
   */
  readonly statP50Ms: number;
  readonly statP99Ms: number;
  readonly statMaxMs: number;
  /** A `setImmediate` issued beside each `stat`: the event loop's share of the `stat`'s latency. */
  readonly turnP99Ms: number;
  /** Most fs requests in flight at once (sampled), the process's own and its libraries'. */
  readonly maxPendingFs: number;
  /**
   * Linux only (undefined elsewhere), counted for the whole network namespace, so other processes' too:
   * connections refused because a listening socket's accept queue was full, and SYNs sent again. A
   * client whose SYN is dropped sends it again 1 s, then 3 s, then 7 s later: such waits show as
   * acknowledgements of 1 s or 3 s more while the event loop is never that late.
   */
  readonly listenOverflows?: number;
  readonly synRetransmits?: number;
}

/** Counters from /proc/net/netstat, or undefined where there is none. */
async function tcpCounters(): Promise<Record<string, number> | undefined> {
  const text = await readFile("/proc/net/netstat", "utf8").catch(() => undefined);
  const lines = text?.split("\n").filter((line) => line.startsWith("TcpExt:"));
  if (!lines || lines.length < 2) return undefined;
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/).map(Number);
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? 0]));
}

/**
 * Runs `task` while timing what an acknowledgement goes through besides the event loop's delay: the
 * in-process server's own handling, new connections, the threadpool's wait, fs requests in flight, and
 * SYNs dropped by a full accept queue. Counts and latencies only, for attributing a slow acknowledgement.
 */
export async function ackPathDuring<T>(task: () => Promise<T>): Promise<{ result: T; path: AckPath }> {
  const started = new WeakMap<IncomingMessage, number>();
  const served: number[] = [];
  let accepted = 0;
  const onStart = (message: unknown) => {
    started.set((message as { request: IncomingMessage }).request, performance.now());
  };
  const onFinish = (message: unknown) => {
    const at = started.get((message as { request: IncomingMessage }).request);
    if (at !== undefined) served.push(performance.now() - at);
  };
  const onSocket = () => {
    accepted++;
  };
  subscribe("http.server.request.start", onStart);
  subscribe("http.server.response.finish", onFinish);
  subscribe("net.server.socket", onSocket);

  const stats: number[] = [];
  const turns: number[] = [];
  let probing = true;
  const probe = () => {
    if (!probing) return;
    const at = performance.now();
    setImmediate(() => turns.push(performance.now() - at));
    stat(".", () => {
      stats.push(performance.now() - at);
      setTimeout(probe, 10);
    });
  };
  probe();
  let maxPendingFs = 0;
  const sampler = setInterval(() => {
    const pending = process
      .getActiveResourcesInfo()
      .filter((kind) => kind === "FSReqCallback" || kind === "FSReqPromise").length;
    maxPendingFs = Math.max(maxPendingFs, pending);
  }, 25);

  const before = await tcpCounters();
  let result: T;
  try {
    result = await task();
  } finally {
    probing = false;
    clearInterval(sampler);
    unsubscribe("http.server.request.start", onStart);
    unsubscribe("http.server.response.finish", onFinish);
    unsubscribe("net.server.socket", onSocket);
  }
  const after = await tcpCounters();
  const delta = (name: string) => (before && after ? (after[name] ?? 0) - (before[name] ?? 0) : undefined);
  return {
    result,
    path: {
      served: served.length,
      serverP50Ms: percentile(served, 50),
      serverP99Ms: percentile(served, 99),
      serverMaxMs: Math.max(0, ...served),
      accepted,
      statP50Ms: percentile(stats, 50),
      statP99Ms: percentile(stats, 99),
      statMaxMs: Math.max(0, ...stats),
      turnP99Ms: percentile(turns, 99),
      maxPendingFs,
      listenOverflows: delta("ListenOverflows"),
      synRetransmits: delta("TCPSynRetrans"),
    },
  };
}

export function describeAckPath(path: AckPath): string {
  const ms = (value: number) => value.toFixed(value < 10 ? 1 : 0);
  const tcp =
    path.listenOverflows === undefined
      ? ""
      : `; TCP (whole machine): ${path.listenOverflows} listen overflows, ${path.synRetransmits} SYNs sent again`;
  return (
    `server's own handling of ${path.served} requests p50 ${ms(path.serverP50Ms)} ms, p99 ${ms(path.serverP99Ms)} ms, max ${ms(path.serverMaxMs)} ms; ` +
    `${path.accepted} connections accepted; threadpool stat p50 ${ms(path.statP50Ms)} ms, p99 ${ms(path.statP99Ms)} ms, max ${ms(path.statMaxMs)} ms ` +
    `(a loop turn beside it p99 ${ms(path.turnP99Ms)} ms); at most ${path.maxPendingFs} fs requests in flight${tcp}`
  );
}
