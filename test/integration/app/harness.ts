import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startAckThread } from "../../../src/app/ack-thread/ack-thread.js";
import type { InboxBridge } from "../../../src/app/bridge/inbox-bridge.js";
import { createApp } from "../../../src/app/index.js";
import type { AppLog } from "../../../src/app/job-context.js";
import { createWatcher, type Watcher } from "../../../src/app/watch/watcher.js";
import { createWorkQueue, type WorkQueue } from "../../../src/app/work-queue.js";
import { type Environment, readEnvironment } from "../../../src/config/environment.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { type ApplyJournal, memoryJournal, openFileJournal } from "../../../src/service/apply-journal.js";
import { TEST_APP_PRIVATE_KEY } from "../../helpers/app-key.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { type FakeGitHubOptions, fakeGitHub } from "./github-fake.js";
import { recordLogs } from "./log-recorder.js";
import { REPO } from "./payloads.js";

export const BOT = "nomad-patch[bot]";

/**
 * Probot as toolchain.md prescribes for tests: no retries, no throttling, silent, a token instead of an
 * app. With no retries, every GitHub error a test injects reaches the app, which must cope on its own.
 * With a `secret`, Probot's middleware refuses webhooks not signed with it.
 */
export function testProbot(
  options: { log?: ReturnType<typeof recordLogs>["logger"]; secret?: string } = {},
): Probot {
  return new Probot({
    log: options.log,
    secret: options.secret,
    githubToken: "test",
    Octokit: ProbotOctokit.defaults((o: object) => ({
      ...o,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
    // pino knows "silent"; Probot's option type lists only the levels that log.
    logLevel: "silent" as "fatal",
  });
}

/**
 * The app behind Probot's real HTTP middleware on a random loopback port, checking signatures with
 * `secret`. It has no IPFS: a store that fails loudly on every call proves that a command such as `/hold`,
 * which needs only GitHub, never touched it.
 * `queue.idle()` awaits the work; `bytesRead()` counts what the server read from its sockets; `close`
 * stops the server.
 */
export async function serveSignedWebhooks(
  secret: string,
  env: Record<string, string> = {},
  options: {
    /**
     * Acknowledge on a thread of its own as `npm start` does (`startAckThread`), passing every other
     * request on to Probot's middleware; by default the middleware answers everything, as under
     * `probot run` or `createNodeMiddleware`.
     */
    readonly thread?: boolean;
    readonly maxUnsettled?: number;
  } = {},
) {
  const probot = testProbot({ secret });
  // The issues whose work the flood limit dropped, as `owner/repo#number` (their lanes).
  const dropped: string[] = [];
  const queue = createWorkQueue({ onDrop: (lane) => dropped.push(lane) });
  const store = new Proxy({} as IpfsStore, {
    get: () => () => Promise.reject(new Error("IPFS must not be used by /hold")),
  });
  // The queue is kept on disk here too: the acknowledgement measured includes writing it.
  const dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-webhooks-"));
  const environment = readEnvironment({ NOMAD_PATCH_DATA_DIR: dataDir, ...env });
  const watcher = createWatcher({ environment });
  const threadLogs = recordLogs();
  const crashes: Error[] = [];
  const thread = options.thread
    ? await startAckThread({
        port: 0,
        host: "127.0.0.1",
        webhookPath: "/api/github/webhooks",
        secret,
        maxBodyBytes: environment.maxWebhookBytes,
        queueDir: join(dataDir, "queue"),
        maxConnections: environment.maxConnections,
        maxConnectionsPerClient: environment.maxConnectionsPerClient,
        ...(options.maxUnsettled === undefined ? {} : { maxUnsettled: options.maxUnsettled }),
        log: threadLogs.logger as unknown as AppLog,
        onCrash: (error) => crashes.push(error),
      })
    : undefined;
  const app = createApp({
    store,
    environment,
    journal: memoryJournal(),
    queue,
    botLogin: BOT,
    watcher,
    privateKey: TEST_APP_PRIVATE_KEY,
    ...(thread ? { acknowledged: thread } : {}),
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const server = createServer((req, res) => {
    void middleware(req, res, () => {
      res.writeHead(404).end();
    });
  });
  const sockets: Socket[] = [];
  server.on("connection", (socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  thread?.open({ host: "127.0.0.1", port });
  return {
    queue,
    dropped,
    url: `http://127.0.0.1:${thread?.port ?? port}/api/github/webhooks`,
    /** The webhook thread's log lines and the crashes it reported (with `thread`). */
    threadLogs: threadLogs.lines,
    crashes,
    thread,
    /**
     * What the server read from its sockets, from the connection numbered `from` on (`connections()` before
     * a request gives its number): a socket refused earlier may still be drained of what was on its way.
     */
    bytesRead: (from = 0) => sockets.slice(from).reduce((sum, socket) => sum + socket.bytesRead, 0),
    /** How many connections the server has taken so far. */
    connections: () => sockets.length,
    /** The queue's directory, to count what is kept on disk. */
    queueDir: join(dataDir, "queue"),
    close: async () => {
      await thread?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The app in a new Probot on `dataDir` (its journal and its queued work), logging to `logs`. */
export async function loadApp(
  store: IpfsStore,
  dataDir: string,
  queue: WorkQueue,
  logs: ReturnType<typeof recordLogs>,
  options: {
    readonly env?: Record<string, string>;
    /** The watcher the app gets; by default one without a timer, whose rounds never run. */
    readonly watcher?: (environment: Environment) => Watcher;
    /** The inbox bridge the app gets; by default none unless the environment names repositories. */
    readonly inboxBridge?: (environment: Environment) => InboxBridge;
    /** Changes the Probot before the app loads (what `app.auth` answers, say). */
    readonly prepare?: (probot: Probot) => void;
    /** Wraps the journal on `dataDir` the app gets (a process that stops at a chosen step, say). */
    readonly journal?: (journal: ApplyJournal) => ApplyJournal;
  } = {},
): Promise<Probot> {
  const probot = testProbot({ log: logs.logger });
  options.prepare?.(probot);
  const environment = readEnvironment({
    NOMAD_PATCH_DATA_DIR: dataDir,
    NOMAD_PATCH_RESOLVE_TIMEOUT_SECONDS: "20",
    ...options.env,
  });
  const onDisk = await openFileJournal(dataDir);
  const journal = options.journal?.(onDisk) ?? onDisk;
  const watcher = (options.watcher ?? ((env) => createWatcher({ environment: env })))(environment);
  const inboxBridge = options.inboxBridge?.(environment);
  await probot.load(
    createApp({
      store,
      environment,
      journal,
      queue,
      botLogin: BOT,
      watcher,
      inboxBridge,
      privateKey: TEST_APP_PRIVATE_KEY,
    }),
  );
  return probot;
}

/**
 * The app with real collaborators (the operator's Kubo store, a journal on disk) and GitHub faked:
 * `deliver` hands a webhook to Probot (which answers before the work is done), `settle` awaits the work.
 */
export async function startApp(
  store: IpfsStore,
  github: Omit<FakeGitHubOptions, "owner" | "repo" | "botLogin">,
  options: { readonly dataDir?: string; readonly env?: Record<string, string> } = {},
) {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "nomad-patch-app-test-")));
  const failures: unknown[] = [];
  const queue = createWorkQueue((error) => failures.push(error));
  const gh = fakeGitHub({ ...REPO, botLogin: BOT, ...github });
  // Every log line is kept: what the operator reads is part of what a failure must leave behind.
  const logs = recordLogs();
  // Watched keys are polled only when a test runs a round, by a clock it moves: no timer, no sleep.
  const clock = { ms: Date.parse("2026-01-01T00:00:00Z") };
  let made: Watcher | undefined;
  const probot = await loadApp(store, dataDir, queue, logs, {
    env: options.env,
    watcher: (environment) => {
      made = createWatcher({ environment, now: () => clock.ms, random: () => 0.5 });
      return made;
    },
  });
  const watcher = made as unknown as Watcher;
  let delivery = 0;
  return {
    gh,
    probot,
    failures,
    logs: logs.lines,
    queue,
    /** One webhook delivery; a given id re-delivers. Resolves when Probot answered, before the work. */
    deliver: (name: "issues" | "issue_comment", payload: object, id = `delivery-${++delivery}`) =>
      probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]),
    settle: () => queue.idle(),
    dataDir,
    watcher,
    /** Moves the watcher's clock on by `ms`, runs one polling round, and waits for the reviews it queued. */
    async poll(ms = 0) {
      clock.ms += ms;
      await watcher.tick();
      await queue.idle();
    },
    /** Stops the app; `keepData` leaves its data directory for a restart. */
    async stop(stopOptions: { keepData?: boolean } = {}) {
      await queue.idle();
      await watcher.list.flush();
      nock.cleanAll();
      if (!stopOptions.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof startApp>>;

type GitHubOptions = Parameters<typeof startApp>[1];

/**
 * The app of each test in the enclosing `describe`, stopped after the test. After each test every nock
 * interceptor and every GitHub fault the test injected must have been used.
 */
export function appPerTest() {
  let app: TestApp | undefined;
  afterEach(async () => {
    const pending = nock.pendingMocks();
    const unused = app?.gh.unusedFaults() ?? [];
    await app?.stop();
    app = undefined;
    expect(pending).toEqual([]);
    expect(unused).toEqual([]);
  });
  return {
    /** The app this test started, if any. */
    get current(): TestApp | undefined {
      return app;
    },
    async start(
      store: IpfsStore,
      github: GitHubOptions,
      options?: Parameters<typeof startApp>[2],
    ): Promise<TestApp> {
      app = await startApp(store, github, options);
      return app;
    },
  };
}

/** An operator and a contributor Kubo node, connected, for the whole enclosing `describe`. */
export function kuboPairPerSuite() {
  let pair: Awaited<ReturnType<typeof startKuboPair>> | undefined;
  beforeAll(async () => {
    pair = await startKuboPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });
  const started = () => {
    if (!pair) throw new Error("the Kubo pair is started in beforeAll");
    return pair;
  };
  return {
    get operator(): KuboNode {
      return started().operator;
    },
    get contributor(): KuboNode {
      return started().contributor;
    },
  };
}
