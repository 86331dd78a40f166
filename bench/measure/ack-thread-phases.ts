import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { BroadcastChannel } from "node:worker_threads";
import type { BurstProbe } from "../cases/webhook-burst.js";
import { readSchedstat, type Sent, type ThreadsUsage, usageOfProcess } from "../cases/webhook-sender.js";
import { percentile } from "./timing.js";

/** The probe's channel (`ack-thread-probe.cts`). */
const CHANNEL = "nomad-patch-bench-ack-thread-probe";

/**
 * One request as the webhook thread saw it, on the monotonic clock (ms): connection accepted (a connection's
 * first request only), headers parsed, body read, record write started, record renamed, answer handed over.
 */
interface ThreadLine {
  readonly send: number;
  readonly accepted?: number;
  readonly headers: number;
  readonly bodyRead?: number;
  readonly recordStart?: number;
  readonly renamed?: number;
  readonly finished?: number;
}

interface ProbeMessage {
  readonly tid: number;
  readonly requests: ThreadLine[];
  /** `[t, thread cpu, thread wait, main cpu, main wait]`, ms. */
  readonly samples: number[][];
  /** `[start, duration, kind]`, ms. */
  readonly gcs: number[][];
}

/** What every thread of the bench's process, and each process it started, used: by name. */
type UsageByName = Map<string, ThreadsUsage>;

export interface AckThreadPhases {
  readonly ackTid: number | undefined;
  readonly lines: ThreadLine[];
  readonly samples: number[][];
  readonly gcs: number[][];
  /** Every answer as the sender saw it, and what the sender used. */
  readonly answers: readonly Sent[];
  readonly senderUsage: ThreadsUsage | undefined;
  /** Every thread's counters when the sending started and when the last answer was read. */
  readonly before: UsageByName;
  readonly after: UsageByName;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
}

/**
 * Collects what the webhook thread's probe sends while `task` runs a burst with the `BurstProbe` given, with
 * every thread's scheduler counters when the sending starts and when it ends. The probe is in the webhook
 * thread only when the process was started with `--require lib-bench/bench/measure/ack-thread-probe.cjs`
 * (`cold-under-load.ts --phases` restarts itself so).
 */
export async function ackThreadPhasesDuring<T>(
  task: (probe: BurstProbe) => Promise<T>,
): Promise<{ result: T; phases: AckThreadPhases }> {
  const channel = new BroadcastChannel(CHANNEL);
  let ackTid: number | undefined;
  const lines: ThreadLine[] = [];
  const samples: number[][] = [];
  const gcs: number[][] = [];
  channel.onmessage = (event) => {
    const message = (event as unknown as { data: ProbeMessage }).data;
    ackTid = message.tid;
    lines.push(...message.requests);
    samples.push(...message.samples);
    gcs.push(...message.gcs);
  };
  let before: UsageByName = new Map();
  let after: UsageByName = new Map();
  let loadBefore: number[] = [];
  let loadAfter: number[] = [];
  let answers: readonly Sent[] = [];
  let senderUsage: ThreadsUsage | undefined;
  try {
    const result = await task({
      sending: () => {
        before = usageByThread();
        loadBefore = loadavg();
      },
      answered: (given, usage) => {
        after = usageByThread();
        loadAfter = loadavg();
        answers = given;
        senderUsage = usage;
      },
    });
    return {
      result,
      phases: { ackTid, lines, samples, gcs, answers, senderUsage, before, after, loadBefore, loadAfter },
    };
  } finally {
    channel.close();
  }
}

/** Each thread of this process by id, and each process it started (its children: Kubo, the sender) by pid. */
function usageByThread(): UsageByName {
  const usage: UsageByName = new Map();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const [cpuMs, waitMs] = readSchedstat(`/proc/self/task/${tid}/schedstat`);
      usage.set(`thread ${tid}`, { threads: 1, cpuMs, waitMs });
    } catch {
      // ended meanwhile
    }
  }
  for (const pid of childrenOf(process.pid)) {
    try {
      const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      usage.set(`${name} ${pid}`, usageOfProcess(pid));
    } catch {
      // ended meanwhile
    }
  }
  return usage;
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid ...`: the name may hold spaces and parentheses, so read after the last `)`.
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return children;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(Math.abs(value) < 10 ? 1 : 0) : "-");

/**
 * Per request, each phase and what each party waited for a core meanwhile; then the median request against
 * the slowest `slowest` share, and what each thread and process used over the burst.
 */
export function describeAckThreadPhases(phases: AckThreadPhases, slowest = 0.01): string {
  const { answers, senderUsage } = phases;
  if (phases.ackTid === undefined)
    return "no probe in the webhook thread: run with --require lib-bench/bench/measure/ack-thread-probe.cjs";
  const samples = [...phases.samples].sort((a, b) => a[0]! - b[0]!);
  /** A counter's value at the first sample at or after `t` (what had accrued by then). */
  const at = (t: number, column: number) => {
    let lo = 0;
    let hi = samples.length - 1;
    if (samples.length === 0 || samples[hi]![0]! < t) return Number.NaN;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (samples[mid]![0]! < t) lo = mid + 1;
      else hi = mid;
    }
    return samples[lo]![column]!;
  };
  const gcWithin = (from: number, to: number) =>
    phases.gcs.reduce((sum, [start, duration]) => {
      const overlap = Math.min(to, start! + duration!) - Math.max(from, start!);
      return sum + Math.max(0, overlap);
    }, 0);
  const lineOf = new Map(phases.lines.map((line) => [line.send, line]));

  type Row = Record<string, number>;
  const rows: Row[] = [];
  answers.forEach((answer, send) => {
    const p = answer.probe;
    const line = lineOf.get(send);
    if (p === undefined || line === undefined) return;
    const entered = line.accepted ?? line.headers;
    rows.push({
      send,
      "total (sent → answer read)": p.got - p.sent,
      "sender timer late (due → sent)": p.sent - p.due,
      "sent → accepted (new connection)": line.accepted === undefined ? Number.NaN : line.accepted - p.sent,
      "sent → headers (kept-alive)": line.accepted === undefined ? line.headers - p.sent : Number.NaN,
      "accepted → headers": line.accepted === undefined ? Number.NaN : line.headers - line.accepted,
      "headers → body read": (line.bodyRead ?? Number.NaN) - line.headers,
      "body → record write (verify)": (line.recordStart ?? Number.NaN) - (line.bodyRead ?? Number.NaN),
      "record write + rename": (line.renamed ?? Number.NaN) - (line.recordStart ?? Number.NaN),
      "record → answer handed over": (line.finished ?? Number.NaN) - (line.renamed ?? Number.NaN),
      "answer → read by the sender": p.got - (line.finished ?? Number.NaN),
      "webhook thread: wait for a core": at(p.got, 2) - at(p.sent, 2),
      "webhook thread: on a core": at(p.got, 1) - at(p.sent, 1),
      "  of which inside the thread": at(line.finished ?? Number.NaN, 2) - at(entered, 2),
      "webhook thread: its GC": gcWithin(p.sent, p.got),
      "sender thread: wait for a core": p.waitAtGot - p.waitAtSent,
      "sender thread: on a core": p.cpuAtGot - p.cpuAtSent,
      "main thread: wait for a core": at(p.got, 4) - at(p.sent, 4),
    });
  });
  if (rows.length === 0) return "no request seen by both the sender and the webhook thread";
  const total = "total (sent → answer read)";
  rows.sort((a, b) => b[total]! - a[total]!);
  const slow = rows.slice(0, Math.max(1, Math.ceil(rows.length * slowest)));
  const names = Object.keys(rows[0]!).filter((name) => name !== "send");
  const lines = [
    `the webhook thread's requests, phase by phase (ms): ${rows.length} requests; median of all / p99 of all / mean of the slowest ${slow.length} (${Math.round(slowest * 100)} %) / median of the slowest`,
  ];
  for (const name of names) {
    const of = (set: Row[]) => set.map((r) => r[name]!).filter((v) => Number.isFinite(v));
    const every = of(rows);
    const ofSlow = of(slow);
    if (every.length === 0) continue;
    const mean = ofSlow.length === 0 ? Number.NaN : ofSlow.reduce((a, b) => a + b, 0) / ofSlow.length;
    lines.push(
      `  ${name.padEnd(36)} ${ms(percentile(every, 50)).padStart(6)} ${ms(percentile(every, 99)).padStart(6)} ${ms(mean).padStart(6)} ${ms(ofSlow.length === 0 ? Number.NaN : percentile(ofSlow, 50)).padStart(6)}${ofSlow.length < slow.length ? ` (${ofSlow.length} of them)` : ""}`,
    );
  }
  const answered = answers.map((a) => a.probe).filter((p) => p !== undefined);
  const start = Math.min(...answered.map((p) => p.due));
  const end = Math.max(...answered.map((p) => p.got));
  lines.push(`the slowest ${Math.min(slow.length, 12)}, from the burst's start (ms):`);
  for (const row of slow.slice(0, 12)) {
    const p = answers[row.send!]!.probe!;
    const line = lineOf.get(row.send!)!;
    const t = (v: number | undefined) => (v === undefined ? "-" : ms(v - start));
    lines.push(
      `  #${row.send}: sent ${t(p.sent)} accepted ${t(line.accepted)} headers ${t(line.headers)} body ${t(line.bodyRead)} record ${t(line.recordStart)}→${t(line.renamed)} answered ${t(line.finished)} read ${t(p.got)}; waits for a core: webhook thread ${ms(row["webhook thread: wait for a core"]!)}, sender ${ms(row["sender thread: wait for a core"]!)}, main ${ms(row["main thread: wait for a core"]!)}`,
    );
  }
  const during = phases.gcs.filter(([gcStart, duration]) => gcStart! + duration! >= start && gcStart! <= end);
  const gcMs = during.map(([, duration]) => duration!);
  lines.push(
    `the webhook thread's garbage collections while sending: ${gcMs.length}, ${ms(gcMs.reduce((a, b) => a + b, 0))} ms in all, the longest ${ms(Math.max(0, ...gcMs))} ms`,
  );
  lines.push(describeUsage(phases, senderUsage, end - start));
  return lines.join("\n");
}

/** Over the burst: each party's ms on a core and ms runnable but waiting for one. */
function describeUsage(phases: AckThreadPhases, sender: ThreadsUsage | undefined, windowMs: number): string {
  const groups = new Map<string, { cpuMs: number; waitMs: number; threads: number }>();
  const add = (group: string, cpuMs: number, waitMs: number, threads: number) => {
    const sum = groups.get(group) ?? { cpuMs: 0, waitMs: 0, threads: 0 };
    groups.set(group, {
      cpuMs: sum.cpuMs + cpuMs,
      waitMs: sum.waitMs + waitMs,
      threads: sum.threads + threads,
    });
  };
  for (const [name, after] of phases.after) {
    const before = phases.before.get(name) ?? { cpuMs: 0, waitMs: 0, threads: 0 };
    const tid = Number(name.split(" ")[1]);
    const group = name.startsWith("thread ")
      ? tid === process.pid
        ? "main thread (the review)"
        : tid === phases.ackTid
          ? "webhook thread"
          : "the process's other threads (GC helpers, libuv's pool, ...)"
      : name.startsWith("ipfs ")
        ? "Kubo daemons (all their threads)"
        : `child ${name.split(" ")[0]}`;
    add(group, after.cpuMs - before.cpuMs, after.waitMs - before.waitMs, after.threads);
  }
  if (sender)
    add("sender process (all its threads, over its burst)", sender.cpuMs, sender.waitMs, sender.threads);
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(" ");
  const lines = [
    `over the burst and the review (about ${ms(windowMs)} ms of sending; load average ${load(phases.loadBefore)} before, ${load(phases.loadAfter)} after): ms on a core / ms waiting for one`,
  ];
  for (const [group, { cpuMs, waitMs, threads }] of groups)
    lines.push(
      `  ${group.padEnd(62)} ${ms(cpuMs).padStart(7)} / ${ms(waitMs).padStart(7)} (${threads} threads)`,
    );
  return lines.join("\n");
}
