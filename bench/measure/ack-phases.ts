import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { percentile } from "./timing.js";

/**
 * One request of a burst, its phases in `performance.now()` milliseconds (undefined: not seen). The
 * client's side comes from the sender; the server's from Node's diagnostics channels and the request's
 * events; the disk queue's from its file writes, told apart by the delivery id they carry.
 */
interface Timeline {
  due?: number;
  sent?: number;
  accepted?: number;
  /** When the request went out on a connection that had carried one before (no connect, no accept). */
  sentKeptAlive?: number;
  headers?: number;
  bodyRead?: number;
  recordWriteStart?: number;
  recordWritten?: number;
  renamed?: number;
  appendStart?: number;
  appended?: number;
  keptAlive?: boolean;
  /** How many ids the append that carried this one wrote. */
  group?: number;
  finished?: number;
  got?: number;
}

/** The phases, in order, as `[name, from, to]`: each one's time is `to - from` where both were seen. */
const PHASES: readonly [string, keyof Timeline, keyof Timeline][] = [
  ["timer late (sender)", "due", "sent"],
  ["connect + accept (new connection)", "sent", "accepted"],
  ["accept to headers (new connection)", "accepted", "headers"],
  ["sent to headers (kept-alive connection)", "sentKeptAlive", "headers"],
  ["body read", "headers", "bodyRead"],
  ["verify + dispatch to record write", "bodyRead", "recordWriteStart"],
  ["record writeFile", "recordWriteStart", "recordWritten"],
  ["record rename", "recordWritten", "renamed"],
  ["record to response end", "renamed", "finished"],
  ["response to client", "finished", "got"],
  // After the answer: the job runs, then its delivery id is appended (`markDone` in src/app/on-webhook.ts).
  ["(after) answer to the id's append", "finished", "appendStart"],
];

/** An fs call of the whole process during the burst: which, when, how long. */
interface FsCall {
  readonly op: string;
  readonly start: number;
  end: number;
}

export interface AckPhases {
  /** Per send (by the burst's send number). */
  readonly timelines: Map<number, Timeline>;
  readonly fsCalls: FsCall[];
}

const require = createRequire(import.meta.url);
const WATCHED_FS = ["writeFile", "rename", "appendFile", "rm", "readFile", "lstat", "mkdir", "open"] as const;
const WATCHED_SYNC_FS = ["writeFileSync", "renameSync"] as const;

/**
 * Records each request's phases while `task` runs. The disk queue's writes are seen by wrapping
 * `fs/promises` (its ES module bindings follow the CommonJS object through `syncBuiltinESMExports`):
 * a record's body and an append's lines carry their delivery ids, and a rename carries the record's name.
 * `onSend(send, delivery, due, sent, got)` is for the sender to call; each request carries its send
 * number in `x-bench-send`.
 */
export async function ackPhasesDuring<T>(
  task: (onSend: (send: number, due: number, sent: number, got: number) => void) => Promise<T>,
): Promise<{ result: T; phases: AckPhases }> {
  const timelines = new Map<number, Timeline>();
  const line = (send: number) => {
    let t = timelines.get(send);
    if (!t) {
      t = {};
      timelines.set(send, t);
    }
    return t;
  };
  // A delivery id is written once (its first delivery): the send that carried it first.
  const sendOfDelivery = new Map<string, number>();
  const sendOfRecord = new Map<string, number>();
  const acceptedAt = new WeakMap<Socket, number>();
  // The sender keeps connections alive: a request on a connection that carried one before was not accepted.
  const servedBefore = new WeakSet<Socket>();
  const fsCalls: FsCall[] = [];

  const onSocket = (message: unknown) => {
    acceptedAt.set((message as { socket: Socket }).socket, performance.now());
  };
  const onStart = (message: unknown) => {
    const request = (message as { request: IncomingMessage }).request;
    const send = Number(request.headers["x-bench-send"]);
    if (!Number.isInteger(send)) return;
    const t = line(send);
    t.headers = performance.now();
    if (servedBefore.has(request.socket)) t.keptAlive = true;
    else t.accepted = acceptedAt.get(request.socket) ?? t.headers;
    servedBefore.add(request.socket);
    const delivery = String(request.headers["x-github-delivery"]);
    if (!sendOfDelivery.has(delivery)) sendOfDelivery.set(delivery, send);
    request.once("end", () => {
      t.bodyRead = performance.now();
    });
  };
  const onFinish = (message: unknown) => {
    const send = Number((message as { request: IncomingMessage }).request.headers["x-bench-send"]);
    if (Number.isInteger(send)) line(send).finished = performance.now();
  };
  subscribe("net.server.socket", onSocket);
  subscribe("http.server.request.start", onStart);
  subscribe("http.server.response.finish", onFinish);

  const fsPromises = require("node:fs/promises") as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const fsSync = require("node:fs") as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map(WATCHED_FS.map((name) => [name, fsPromises[name]!]));
  const syncOriginals = new Map(WATCHED_SYNC_FS.map((name) => [name, fsSync[name]!]));
  const deliveryIn = (text: string) => /"deliveryId":"([^"]+)"/.exec(text)?.[1];
  /** Notes the call's start and what it carries; the returned function notes its end. */
  const observe = (name: string, args: unknown[]) => {
    const op = name.replace(/Sync$/, "");
    const call: FsCall = { op: name, start: performance.now(), end: Number.NaN };
    fsCalls.push(call);
    const path = String(args[0]);
    const data = typeof args[1] === "string" ? args[1] : "";
    const record =
      op === "writeFile" && path.endsWith(".tmp") ? sendOfDelivery.get(deliveryIn(data) ?? "") : undefined;
    if (record !== undefined) {
      line(record).recordWriteStart = call.start;
      sendOfRecord.set(path, record);
    }
    const renamed = op === "rename" ? sendOfRecord.get(path) : undefined;
    const appended =
      op === "appendFile" && path.endsWith("deliveries")
        ? data
            .split("\n")
            .map((id) => sendOfDelivery.get(id))
            .filter((send) => send !== undefined)
        : [];
    for (const send of appended) {
      line(send).appendStart = call.start;
      line(send).group = appended.length;
    }
    return () => {
      call.end = performance.now();
      if (record !== undefined) line(record).recordWritten = call.end;
      if (renamed !== undefined) line(renamed).renamed = call.end;
      for (const send of appended) line(send).appended = call.end;
    };
  };
  for (const [name, original] of originals) {
    fsPromises[name] = async (...args: unknown[]) => {
      const done = observe(name, args);
      try {
        return await original(...args);
      } finally {
        done();
      }
    };
  }
  // The disk queue writes a record synchronously since the answer stopped waiting for the threadpool.
  for (const [name, original] of syncOriginals) {
    fsSync[name] = (...args: unknown[]) => {
      const done = observe(name, args);
      try {
        return original(...args);
      } finally {
        done();
      }
    };
  }
  require("node:module").syncBuiltinESMExports();

  let result: T;
  try {
    result = await task((send, due, sent, got) => {
      const t = Object.assign(line(send), { due, sent, got });
      if (t.keptAlive) t.sentKeptAlive = sent;
    });
  } finally {
    for (const [name, original] of originals) fsPromises[name] = original;
    for (const [name, original] of syncOriginals) fsSync[name] = original;
    require("node:module").syncBuiltinESMExports();
    unsubscribe("net.server.socket", onSocket);
    unsubscribe("http.server.request.start", onStart);
    unsubscribe("http.server.response.finish", onFinish);
  }
  return { result, phases: { timelines, fsCalls } };
}

const ms = (value: number) => value.toFixed(value < 10 ? 1 : 0);

/** Per phase over every request, then the slowest requests' phases and what else ran while they waited. */
export function describeAckPhases(phases: AckPhases, slowest = 0.02, busy: readonly Window[] = []): string {
  const all = [...phases.timelines.entries()].filter(([, t]) => t.got !== undefined && t.sent !== undefined);
  const total = (t: Timeline) => t.got! - t.sent!;
  all.sort(([, a], [, b]) => total(b) - total(a));
  const slow = all.slice(0, Math.max(1, Math.ceil(all.length * slowest)));
  const lines: string[] = [
    `phases of ${all.length} requests (ms: p50 / p99 / max; mean of the slowest ${slow.length}):`,
  ];
  const spans = (ts: Timeline[], from: keyof Timeline, to: keyof Timeline) =>
    ts
      .map((t) =>
        t[from] !== undefined && t[to] !== undefined ? (t[to] as number) - (t[from] as number) : undefined,
      )
      .filter((v): v is number => v !== undefined);
  for (const [name, from, to] of PHASES) {
    const every = spans(
      all.map(([, t]) => t),
      from,
      to,
    );
    const ofSlow = spans(
      slow.map(([, t]) => t),
      from,
      to,
    );
    if (every.length === 0) continue;
    const mean = ofSlow.length === 0 ? 0 : ofSlow.reduce((a, b) => a + b, 0) / ofSlow.length;
    lines.push(
      `  ${name.padEnd(36)} ${ms(percentile(every, 50))} / ${ms(percentile(every, 99))} / ${ms(Math.max(...every))}; slowest ${ms(mean)} (${ofSlow.length})`,
    );
  }
  const origin = Math.min(...all.map(([, t]) => t.due ?? t.sent!));
  lines.push(`the slowest ${slow.length}, from the burst's start (ms):`);
  for (const [send, t] of slow) {
    const at = (v: number | undefined) => (v === undefined ? "-" : ms(v - origin));
    lines.push(
      `  #${send}: sent ${at(t.sent)} accepted ${at(t.accepted)} headers ${at(t.headers)} body ${at(t.bodyRead)} record ${at(t.recordWriteStart)}→${at(t.renamed)} append ${at(t.appendStart)}→${at(t.appended)} (group ${t.group ?? "-"}) finished ${at(t.finished)} got ${at(t.got)}; total ${ms(total(t))}`,
    );
  }
  const first = slow.reduce((m, [, t]) => Math.min(m, t.sent!), Number.POSITIVE_INFINITY);
  const last = slow.reduce((m, [, t]) => Math.max(m, t.got!), 0);
  const during = phases.fsCalls.filter((c) => c.end >= first && c.start <= last);
  const byOp = new Map<string, number[]>();
  for (const c of during) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c.end - c.start]);
  lines.push(
    `fs calls of the process between the first slow send and the last slow answer: ${[...byOp]
      .map(([op, d]) => `${op} ${d.length} (max ${ms(Math.max(...d))} ms)`)
      .join(", ")}`,
  );
  // The longest ten, in time order: enough to see whether the slow group waited on one of them.
  const overlapping = busy
    .filter((w) => w.end >= first && w.start <= last)
    .sort((a, b) => b.end - b.start - (a.end - a.start))
    .slice(0, 10)
    .sort((a, b) => a.start - b.start);
  if (overlapping.length > 0)
    lines.push(
      `  the longest stalls then: ${overlapping.map((w) => `${w.label} ${ms(w.start - origin)}–${ms(w.end - origin)}`).join(", ")}`,
    );
  return lines.join("\n");
}

/** Something that held the process for a while (a stall, a collection), in `performance.now()` ms. */
export interface Window {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}
