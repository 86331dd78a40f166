import { sign } from "@octokit/webhooks-methods";
import nock from "nock";
import { parseMarker } from "../../src/render/index.js";
import { fakeGitHub } from "../../test/integration/app/github-fake.js";
import { BOT, serveSignedWebhooks } from "../../test/integration/app/harness.js";
import { commentCreated, REPO } from "../../test/integration/app/payloads.js";
import { percentile } from "../measure/timing.js";
import {
  type Send,
  type Sent,
  sendFromAnotherProcess,
  sendOnSchedule,
  type ThreadsUsage,
} from "./webhook-sender.js";

const SECRET = "bench-webhook-secret";

export interface WebhookBurstResult {
  readonly rate: number;
  /** How many maintainers sent the deliveries, in turn (absent in results saved before: one). */
  readonly senders?: number;
  readonly deliveries: number;
  /** Deliveries sent a second time with the same delivery id, as GitHub's redelivery does. */
  readonly redeliveries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly non2xx: number;
  /** Issues that ended with exactly one "held" comment and one label call: each delivery's work done once. */
  readonly processedOnce: number;
  // The next three are absent from results saved before they were counted (`bench/reprint.ts`).
  /** Issues whose event the flood limit dropped (by design: the sender gets one note) and nothing was done. */
  readonly droppedByLimit?: number;
  /** Issues with more than one "held" comment or label call. Must be 0. */
  readonly doneTwice?: number;
  /** Issues whose event was accepted (not dropped) and not done, or done in part. Must be 0. */
  readonly lost?: number;
  readonly drainMs: number;
  /** What ran in the same process during the burst, if anything. */
  readonly alongside?: string;
  /** Where the deliveries were sent from (absent in results saved before: the same process). */
  readonly sender?: "same process" | "another process";
  /** Who answered them (absent in results saved before: the main thread). */
  readonly front?: "thread" | "main thread";
}

/** Work started in the same process just before the burst, and awaited after it. */
export interface Alongside {
  readonly label: string;
  readonly task: () => Promise<unknown>;
}

export interface BurstOptions {
  /**
   * How many maintainers send the deliveries, in turn (default 1). One sender's jobs run one at a time
   * and at most 100 of them wait (the flood limit), so a burst from one sender measures that limit; a
   * burst spread over senders each under it measures the app's throughput.
   */
  readonly senders?: number;
  readonly alongside?: Alongside;
  /**
   * Where the deliveries are sent from: this process (through nock's interceptors, its timers and sockets
   * waiting for this event loop), or a process of its own, as GitHub is another machine.
   */
  readonly sender?: "same process" | "another process";
  /**
   * Who answers: the thread of its own that `npm start` acknowledges webhooks on (the default), or
   * Probot's middleware on the main thread, as `probot run` and `createNodeMiddleware` serve the app (and
   * as every build before the thread did).
   */
  readonly front?: "thread" | "main thread";
  /** Told of each send (by its number, also sent as `x-bench-send`): when it was due, sent and answered. */
  readonly onSend?: (send: number, due: number, sent: number, got: number) => void;
  /** Probes the sender (`SendOptions.probe`), and tells when the sending starts and ends. */
  readonly probe?: BurstProbe;
}

export interface BurstProbe {
  /** Called just before the first send (and the work alongside) starts. */
  readonly sending: () => void;
  /** Every answer as the sender saw it, with its probe, and what every thread of the sender used. */
  readonly answered: (answers: readonly Sent[], senderUsage: ThreadsUsage | undefined) => void;
}

/**
 * Signed `issue_comment` deliveries (`/hold` by a maintainer, one issue each) posted to Probot's real
 * HTTP middleware at a fixed rate, open loop (sent on schedule whatever the answers), a tenth of them
 * delivered twice. GitHub is faked in-process (nock); `/hold` needs no IPFS, so what is measured is the
 * acknowledgement and the app's own work, not Kubo.
 */
export async function runWebhookBurst(
  rate: number,
  seconds: number,
  options: BurstOptions = {},
): Promise<WebhookBurstResult> {
  const { alongside } = options;
  const sender = options.sender ?? "same process";
  const senders = Math.max(1, options.senders ?? 1);
  const maintainers = Array.from({ length: senders }, (_, s) =>
    senders === 1 ? "maintainer" : `maintainer-${s}`,
  );
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  const gh = fakeGitHub({
    ...REPO,
    botLogin: BOT,
    config: "targets:\n  - id: k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8\n",
    permissions: Object.fromEntries(
      maintainers.map((login) => [login, { permission: "admin", role_name: "admin" }]),
    ),
  });
  const front = options.front ?? "thread";
  const { queue, url, close, dropped } = await serveSignedWebhooks(
    SECRET,
    {},
    { thread: front === "thread" },
  );

  try {
    const count = rate * seconds;
    const bodies = Array.from({ length: count }, (_, i) =>
      JSON.stringify(
        commentCreated({ number: 1_000 + i, body: "" }, "/hold", maintainers[i % senders]!, {
          id: 90_000 + i,
        }),
      ),
    );
    const signatures = await Promise.all(bodies.map((body) => sign(SECRET, body)));
    const sends = bodies.map((_, i) => ({ i, id: `burst-${i}` }));
    // A tenth delivered again a little later, under the same delivery id.
    for (let i = 0; i < count; i += 10) sends.push({ i, id: `burst-${i}` });
    const latencies: number[] = [];
    let non2xx = 0;
    const schedule: Send[] = sends.map(({ i, id }, n) => ({
      atMs: (n * 1000) / rate,
      headers: {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": id,
        "x-hub-signature-256": signatures[i]!,
        "x-bench-send": String(n),
      },
      body: bodies[i]!,
    }));
    options.probe?.sending();
    const background = alongside?.task();
    let senderUsage: ThreadsUsage | undefined;
    const sendOptions = {
      probe: options.probe !== undefined,
      onUsage: (usage: ThreadsUsage) => {
        senderUsage = usage;
      },
    };
    const answers = await (sender === "another process"
      ? sendFromAnotherProcess(url, schedule, sendOptions)
      : sendOnSchedule(url, schedule, sendOptions));
    options.probe?.answered(answers, senderUsage);
    answers.forEach(({ due, sent, got, status }, n) => {
      latencies.push(got - sent);
      if (status < 200 || status > 299) non2xx++;
      const local = (epochMs: number) => epochMs - performance.timeOrigin;
      options.onSend?.(n, local(due), local(sent), local(got));
    });
    const sentAll = performance.now();
    await queue.idle();
    const drainMs = performance.now() - sentAll;
    await background;

    // Each issue had one event (delivered once or twice): done once, done twice, dropped by the flood
    // limit with nothing done, or else lost.
    const droppedLanes = new Set(dropped);
    let processedOnce = 0;
    let doneTwice = 0;
    let droppedByLimit = 0;
    for (let i = 0; i < count; i++) {
      const issue = 1_000 + i;
      const held = gh.botComments(issue).filter((c) => parseMarker(c.body)?.state === "held").length;
      const labelled = gh.sent("POST", `/issues/${issue}/labels`).length;
      if (held === 1 && labelled === 1) processedOnce++;
      else if (held > 1 || labelled > 1) doneTwice++;
      else if (held === 0 && labelled === 0 && droppedLanes.has(`${REPO.owner}/${REPO.repo}#${issue}`))
        droppedByLimit++;
    }
    return {
      rate,
      senders,
      deliveries: count,
      redeliveries: sends.length - count,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      non2xx,
      processedOnce,
      droppedByLimit,
      doneTwice,
      lost: count - processedOnce - doneTwice - droppedByLimit,
      drainMs,
      alongside: alongside?.label,
      sender,
      front,
    };
  } finally {
    await close();
    nock.cleanAll();
    nock.enableNetConnect();
  }
}
