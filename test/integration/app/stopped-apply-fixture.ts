import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach } from "vitest";
import { createWorkQueue } from "../../../src/app/work-queue.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, kuboPairPerSuite, loadApp } from "./harness.js";
import { recordLogs } from "./log-recorder.js";
import { configYaml, createProject, proposeRename } from "./nomad-data.js";
import { commentCreated, REPO } from "./payloads.js";
import { type StopPoint, type StoreFault, stoppingAt } from "./stopped-process.js";

export type Delivery = Parameters<Probot["receive"]>[0];

export const WRITER = { permission: "write", role_name: "write" };
/** A rule that applies a rename: the rules approve it as its review is written. */
export const APPLY_NAMES = ["rules:", "  - match: { eventId: UpdateNameAsync }", "    action: apply"].join(
  "\n",
);
export const HELD = "nomad-patch: held";
const pinning = (args: unknown[]) => (args[1] as { pin?: boolean } | undefined)?.pin === true;

/**
 * The steps an apply can be stopped after, and whether a hold or a rejection that comes then still wins
 * (nothing published) or comes too late (the bot's stream published: the apply must be finished).
 */
export const APPLY_STOPS: readonly {
  readonly name: string;
  readonly point: StopPoint;
  readonly wins: boolean;
}[] = [
  { name: "after its plan was recorded", point: { journal: "planned" }, wins: true },
  {
    name: "after the entries were written, before the local publish",
    point: { store: "publishName", nth: 1 },
    wins: true,
  },
  {
    name: "after the local publish, before the journal recorded it",
    point: { journal: "local-published", before: true },
    wins: false,
  },
  { name: "after the local publish was recorded", point: { journal: "local-published" }, wins: false },
  {
    name: "after the roaming publish, before the outcome was recorded",
    point: { store: "dagPut", nth: 1, match: pinning },
    wins: false,
  },
];

/**
 * A suite of tests that stop the app dead part way through an apply and start another process on the same
 * data directory: a Kubo pair for the suite, a fresh data directory per test, GitHub behind nock.
 */
export function stoppedApplySuite(prefix: string) {
  const pair = kuboPairPerSuite();
  let dataDir = "";
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    nock.cleanAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  const queueRecords = async () =>
    (await readdir(join(dataDir, "queue")).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
  const journalRecord = async (cid: string) => (await openFileJournal(dataDir)).get(cid);
  const journalState = async (cid: string) => (await journalRecord(cid))?.state;
  const markers = (gh: ReturnType<typeof fakeGitHub>, number: number) =>
    gh.botComments(number).map((c) => parseMarker(c.body));
  const writes = (gh: ReturnType<typeof fakeGitHub>) =>
    gh.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/reactions")).length;

  /** The next process on the same data directory; it replays what is left in the queue directory. */
  async function nextProcess(store: IpfsStore = pair.operator.store) {
    const failures: unknown[] = [];
    const queue = createWorkQueue((error) => failures.push(error));
    const app = await loadApp(store, dataDir, queue, recordLogs());
    await queue.idle();
    let n = 0;
    const deliver = async (name: "issues" | "issue_comment", payload: object) => {
      await app.receive({ id: `next-${++n}`, name, payload } as Delivery);
      await queue.idle();
    };
    /** A maintainer's comments, each received (and queued) before any of them runs: the lane orders them. */
    const sendBeforeRun = async (
      issue: { readonly number: number; readonly body: string },
      ...bodies: string[]
    ) => {
      for (const body of bodies)
        await app.receive({
          id: `sent-${++n}`,
          name: "issue_comment",
          payload: commentCreated(issue, body, "maintainer"),
        } as Delivery);
    };
    return { app, queue, failures, deliver, sendBeforeRun };
  }

  /** A first process that stops at `point`, after `fault` (if any) made the apply fail. */
  async function firstProcess(point: StopPoint, fault?: StoreFault) {
    const first = stoppingAt(pair.operator.store, point, fault);
    const queue = createWorkQueue();
    const app = await loadApp(first.store, dataDir, queue, recordLogs(), { journal: first.journal });
    return { app, queue, stop: first.stop };
  }

  /** A target, a rename of it proposed, and an issue posting the key, on a GitHub where `maintainer` writes. */
  async function patchOnIssue(number: number, name: string, options: { readonly rules?: boolean } = {}) {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, name);
    const config = options.rules ? `${configYaml(target.id)}\n${APPLY_NAMES}` : configYaml(target.id);
    const gh = fakeGitHub({ ...REPO, botLogin: BOT, config, permissions: { maintainer: WRITER } });
    return { target, patch, gh, issue: { number, body: `Patch: ${patch.key}` }, cid: patch.cid.toString() };
  }

  return {
    pair,
    get dataDir() {
      return dataDir;
    },
    queueRecords,
    journalRecord,
    journalState,
    markers,
    writes,
    nextProcess,
    firstProcess,
    patchOnIssue,
  };
}
