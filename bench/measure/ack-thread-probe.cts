/**
 * Preloaded (`node --require lib-bench/bench/measure/ack-thread-probe.cjs`) into every thread of the bench's
 * process; it does something only in the webhook thread (`src/app/ack-thread/ack-worker.ts`, told apart by its
 * `workerData`). A worker thread runs the `--require` modules of its process (not its `--import` ones, on
 * Node 20), so the app's code is measured as `npm start` runs it, with nothing of the bench in it.
 *
 * Per request (by the bench's `x-bench-send` header), on the monotonic clock (`process.hrtime`, shared by
 * every thread and process of the machine): connection accepted, headers parsed, body read, record write
 * started (the signature checked), record renamed into place, answer handed to the socket. At each of those
 * points, the thread's own and the main thread's scheduler counters (`/proc/.../schedstat`: nanoseconds on a
 * core, nanoseconds runnable and waiting for one), and the thread's garbage collections. Sent to the main
 * thread in batches over a `BroadcastChannel` (`ack-thread-phases.ts` collects them).
 */
import diagnostics = require("node:diagnostics_channel");
import fs = require("node:fs");
import nodeModule = require("node:module");
import perf = require("node:perf_hooks");
import threads = require("node:worker_threads");

/** The channel's name, shared with `ack-thread-phases.ts`. */
const CHANNEL = "nomad-patch-bench-ack-thread-probe";
const FLUSH_MS = 50;

const settings = threads.workerData as { webhookPath?: unknown } | undefined;
if (!threads.isMainThread && typeof settings?.webhookPath === "string") instrument();

function instrument(): void {
  const channel = new threads.BroadcastChannel(CHANNEL);
  // Neither end keeps a thread alive: the app ends the webhook thread as it always does.
  (channel as unknown as { unref(): void }).unref();
  const mono = () => Number(process.hrtime.bigint()) / 1e6;
  const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
  /**
   * `[ms on a core, ms waiting for one]` of one thread. The file stays open and is read again from its start
   * (the kernel writes it afresh for each read at 0): six times cheaper than opening it each time, which
   * under load cost the thread about 0.2 ms a stamp.
   */
  const schedstatOf = (path: string) => {
    const fd = fs.openSync(path, "r");
    const buffer = Buffer.alloc(128);
    return (): [number, number] => {
      const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
      const [cpu = "0", wait = "0"] = buffer.toString("latin1", 0, length).split(" ");
      return [Number(cpu) / 1e6, Number(wait) / 1e6];
    };
  };
  // Opened from this thread: `thread-self` is this thread's entry, whoever reads it later.
  const own = schedstatOf("/proc/thread-self/schedstat");
  const main = schedstatOf(`/proc/self/task/${process.pid}/schedstat`);

  let requests: Record<string, number>[] = [];
  let samples: number[][] = [];
  let gcs: number[][] = [];
  /** Samples the counters now: `[t, own cpu, own wait, main cpu, main wait]`. */
  const stamp = (): number => {
    const t = mono();
    samples.push([t, ...own(), ...main()]);
    return t;
  };
  const flush = () => {
    if (requests.length + samples.length + gcs.length === 0) return;
    channel.postMessage({ tid, requests, samples, gcs });
    requests = [];
    samples = [];
    gcs = [];
  };
  setInterval(flush, FLUSH_MS).unref();
  channel.postMessage({ tid, requests: [], samples: [], gcs: [] });

  const gcObserver = new perf.PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const start = entry.startTime + monoMinusPerf;
      gcs.push([
        start,
        entry.duration,
        (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0,
      ]);
    }
  });
  // `performance` times are on the thread's own origin; the probe's on the monotonic clock.
  const monoMinusPerf = mono() - perf.performance.now();
  gcObserver.observe({ entryTypes: ["gc"] });

  type Line = Record<string, number>;
  const acceptedAt = new WeakMap<object, number>();
  const lineOf = new WeakMap<object, Line>();
  /** Requests whose body was read and whose record is not written yet, by delivery id, oldest first. */
  const awaitingRecord = new Map<string, Line[]>();
  const lineOfRecord = new Map<string, Line>();

  diagnostics.subscribe("net.server.socket", (message) => {
    acceptedAt.set((message as { socket: object }).socket, stamp());
  });
  diagnostics.subscribe("http.server.request.start", (message) => {
    const request = (message as { request: import("node:http").IncomingMessage }).request;
    const send = Number(request.headers["x-bench-send"]);
    if (!Number.isInteger(send)) return;
    const line: Line = { send, headers: stamp() };
    const accepted = acceptedAt.get(request.socket);
    // Only a connection's first request was accepted for it; a kept-alive one's waited in the socket.
    if (accepted !== undefined) {
      line.accepted = accepted;
      acceptedAt.delete(request.socket);
    }
    lineOf.set(request, line);
    const delivery = String(request.headers["x-github-delivery"]);
    request.once("end", () => {
      line.bodyRead = stamp();
      const waiting = awaitingRecord.get(delivery) ?? [];
      waiting.push(line);
      awaitingRecord.set(delivery, waiting);
    });
  });
  diagnostics.subscribe("http.server.response.finish", (message) => {
    const line = lineOf.get((message as { request: object }).request);
    if (line === undefined) return;
    line.finished = stamp();
    requests.push(line);
  });

  // The record is written with `writeFileSync` and renamed with `renameSync` (src/app/disk-queue.ts); the
  // worker imports them as ES module bindings, which follow the CommonJS object through
  // `syncBuiltinESMExports` as long as this runs first.
  const fsObject = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
  const writeFileSync = fsObject.writeFileSync!;
  const renameSync = fsObject.renameSync!;
  fsObject.writeFileSync = (...args: unknown[]) => {
    const path = String(args[0]);
    const delivery = typeof args[1] === "string" ? /"deliveryId":"([^"]+)"/.exec(args[1])?.[1] : undefined;
    const line = delivery === undefined ? undefined : awaitingRecord.get(delivery)?.shift();
    if (line !== undefined) {
      line.recordStart = stamp();
      lineOfRecord.set(path, line);
    }
    return writeFileSync(...args);
  };
  fsObject.renameSync = (...args: unknown[]) => {
    const result = renameSync(...args);
    const line = lineOfRecord.get(String(args[0]));
    if (line !== undefined) {
      line.renamed = stamp();
      lineOfRecord.delete(String(args[0]));
    }
    return result;
  };
  nodeModule.syncBuiltinESMExports();
}
