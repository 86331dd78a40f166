import { CID } from "multiformats/cid";
import { delegateStore } from "../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../src/ipfs/store.js";
import { fetchAsCar } from "./baselines.js";
import { timed } from "./timing.js";

/** One request to the node: what it was, and when it started and ended (ms since the trace began). */
export interface TracedCall {
  readonly method: string;
  readonly what: string;
  /** The name, for a name resolved. */
  readonly name?: string;
  readonly start: number;
  readonly end: number;
}

/**
 * A pass-through store, put between a block cache and the node, that notes when each request to the node
 * starts and ends: the timeline of one review says which requests wait on each other (the review's fixed
 * costs) and how much of its time no request is in flight (its own work).
 */
export function tracingStore(store: IpfsStore): {
  readonly store: IpfsStore;
  readonly begin: () => void;
  readonly calls: () => readonly TracedCall[];
} {
  let origin = performance.now();
  let calls: TracedCall[] = [];
  function traced<T>(method: string, what: string, call: () => Promise<T>, name?: string): Promise<T> {
    const start = performance.now() - origin;
    const note = () => calls.push({ method, what, name, start, end: performance.now() - origin });
    return call().finally(note);
  }
  return {
    begin: () => {
      origin = performance.now();
      calls = [];
    },
    calls: () => calls,
    store: {
      ...delegateStore(store),
      dagGet: (cid, o) => traced("dagGet", `${cid}`, () => store.dagGet(cid, o)),
      dagGetSized: (cid, o) => traced("dagGet", `${cid}`, () => store.dagGetSized(cid, o)),
      getBlock: (cid, o) => traced("getBlock", `${cid}`, () => store.getBlock(cid, o)),
      exportDag: (root, visit, o) => traced("exportDag", `${root}`, () => store.exportDag(root, visit, o)),
      catFile: (cid, o) => traced("catFile", `${cid}`, () => store.catFile(cid, o)),
      fileSize: (cid, o) => traced("fileSize", `${cid}`, () => store.fileSize(cid, o)),
      resolveName: (name, o) =>
        traced(
          "resolveName",
          `${name}${o?.nocache ? " nocache" : ""}`,
          () => store.resolveName(name, o),
          name,
        ),
      listKeys: (o) => traced("listKeys", "", () => store.listKeys(o)),
    },
  };
}

/**
 * The timeline in words: each kind of request with its count and the time it kept at least one request
 * in flight, the time no request was in flight, and the longest requests in the order they started.
 */
export function describeTrace(calls: readonly TracedCall[], totalMs: number): string {
  const kinds = new Map<string, TracedCall[]>();
  for (const call of calls) kinds.set(call.method, [...(kinds.get(call.method) ?? []), call]);
  const lines = [...kinds].map(
    ([method, list]) =>
      `  ${method.padEnd(12)} ${String(list.length).padStart(6)} requests, in flight ${covered(list).toFixed(0).padStart(6)} ms, each ${median(list).toFixed(1)} ms median`,
  );
  const busy = covered(calls);
  // Reads of one block or one file come by the hundred: each kind is shown as the span it covers.
  const perItem = new Set(["getBlock", "dagGet", "catFile", "fileSize"]);
  const slow = [...calls]
    .filter((c) => !perItem.has(c.method))
    .sort((a, b) => a.start - b.start)
    .map(
      (c) =>
        `  ${c.start.toFixed(0).padStart(6)} → ${c.end.toFixed(0).padStart(6)} ms  ${c.method} ${c.what.slice(0, 70)}`,
    );
  const spans = [...kinds]
    .filter(([method]) => perItem.has(method))
    .map(
      ([method, list]) =>
        `  ${Math.min(...list.map((c) => c.start))
          .toFixed(0)
          .padStart(6)} → ${Math.max(...list.map((c) => c.end))
          .toFixed(0)
          .padStart(6)} ms  ${list.length} × ${method}`,
    );
  return [
    `review ${totalMs.toFixed(0)} ms; a request to the node in flight ${busy.toFixed(0)} ms, none ${(totalMs - busy).toFixed(0)} ms`,
    ...lines,
    ...singleReads(calls),
    "requests other than single blocks and files, in the order they started, then the others' spans:",
    ...slow,
    ...spans,
  ].join("\n");
}

const CODECS: Readonly<Record<number, string>> = {
  113: "dag-cbor",
  112: "dag-pb",
  85: "raw",
  297: "dag-json",
};

/**
 * The single-block reads by codec (dag-pb and raw: files), and whether an export was still in flight
 * when each started: a read an export could have carried shows which export stopped short.
 */
function singleReads(calls: readonly TracedCall[]): string[] {
  const exportsEnd = Math.max(0, ...calls.filter((c) => c.method === "exportDag").map((c) => c.end));
  const counts = new Map<string, number>();
  for (const call of calls) {
    if (call.method !== "getBlock" && call.method !== "dagGet") continue;
    const code = CID.parse(call.what).code;
    const key = `${CODECS[code] ?? `codec 0x${code.toString(16)}`} ${call.start < exportsEnd ? "while an export ran" : "after the exports"}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  if (counts.size === 0) return [];
  return [`  single reads: ${[...counts].map(([key, n]) => `${n} ${key}`).join(", ")}`];
}

/** The length of the union of the calls' intervals. */
function covered(calls: readonly TracedCall[]): number {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  let total = 0;
  // Every call starts at 0 ms or later: an empty interval at 0 is where the union begins.
  let from = 0;
  let to = 0;
  for (const { start, end } of sorted) {
    if (start > to) {
      total += Math.max(0, to - from);
      from = start;
      to = end;
    } else to = Math.max(to, end);
  }
  return total + Math.max(0, to - from);
}

function median(calls: readonly TracedCall[]): number {
  const sorted = calls.map((c) => c.end - c.start).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The bench's `car` bound for the names a traced review resolved and the DAGs it read, measured now. */
export async function carBeside(
  apiUrl: string,
  calls: readonly TracedCall[],
  roots: readonly CID[],
  reviewMs: number,
): Promise<string> {
  const names = [...new Set(calls.flatMap((c) => (c.name === undefined ? [] : [c.name])))];
  const car = await timed(() => fetchAsCar(apiUrl, names, roots));
  return `car (${names.length} names, ${roots.length} exports) ${car.ms.toFixed(0)} ms: cold/car ${(reviewMs / car.ms).toFixed(2)}×`;
}
