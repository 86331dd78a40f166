import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, serveSignedWebhooks } from "./harness.js";
import { commentCreated, REPO } from "./payloads.js";

/**
 * The attacker's tests of the webhook thread (`src/app/ack-thread/`), over real sockets: what a stranger who
 * can reach the port (or who has the webhook secret's deliveries to replay) can make it do. Each is bounded
 * and answered, nothing acknowledged is lost, nothing is done twice, and a maintainer's `/hold` sent in
 * the middle of it is done.
 */
const SECRET = "a-webhook-secret";
const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";

interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function signedComment(issue: number, id: string, text: string, by: string, secret = SECRET) {
  const body = JSON.stringify(
    commentCreated({ number: issue, body: "" }, text, by, {
      id: 60_000 + Number(id.replace(/\D/g, "") || 0),
    }),
  );
  return {
    headers: {
      "content-type": "application/json",
      "x-github-event": "issue_comment",
      "x-github-delivery": id,
      "x-hub-signature-256": await sign(secret, body),
    },
    body,
  } satisfies Delivery;
}

/** Sends the deliveries from a process of its own, all at once; their statuses are in the file when all are answered. */
function sendApart(url: string, deliveries: readonly Delivery[], dir: string): string {
  const input = join(dir, "deliveries.json");
  const output = join(dir, "statuses.json");
  writeFileSync(input, JSON.stringify(deliveries));
  const code = `
    import { readFileSync, renameSync, writeFileSync } from "node:fs";
    const deliveries = JSON.parse(readFileSync(process.env.INPUT, "utf8"));
    const statuses = await Promise.all(deliveries.map((d) =>
      fetch(process.env.URL, { method: "POST", headers: d.headers, body: d.body }).then((r) => r.status, () => 0)));
    writeFileSync(process.env.OUTPUT + ".tmp", JSON.stringify(statuses));
    renameSync(process.env.OUTPUT + ".tmp", process.env.OUTPUT);`;
  spawn(process.execPath, ["--input-type=module", "-e", code], {
    env: { PATH: process.env.PATH, INPUT: input, OUTPUT: output, URL: url },
    stdio: "ignore",
  });
  return output;
}

/**
 * Writes `text` on a raw socket and resolves with everything the server answered once it closes the
 * connection (or `waitMs` passed: then `closed` is false).
 */
function rawExchange(
  url: string,
  text: string | Buffer,
  waitMs = 20_000,
  from?: string,
): Promise<{ answer: string; closed: boolean; statuses: number[] }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({
      port: Number(port),
      host: hostname,
      ...(from === undefined ? {} : { localAddress: from }),
    });
    let answer = "";
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      resolve({ answer, closed, statuses });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" ? done(true) : reject(error),
    );
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("utf8");
    });
    socket.on("close", () => done(true));
    socket.once("connect", () => socket.write(text));
  });
}

const head = (url: string, headers: Record<string, string>, contentLength: number) => {
  const { hostname, port, pathname } = new URL(url);
  return [
    `POST ${pathname} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    `content-length: ${contentLength}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    "",
    "",
  ].join("\r\n");
};

/**
 * For the tests of what happens once a connection is taken (a flood of deliveries from one process, 400
 * held sockets from one address): the connection caps, which would close most of them at once, are lifted
 * there. Their own test is "one address holding its most connections".
 */
const UNCAPPED = { NOMAD_PATCH_MAX_CONNECTIONS: "5000", NOMAD_PATCH_MAX_CONNECTIONS_PER_CLIENT: "5000" };

/** Posts a delivery from one local address (all of 127.0.0.0/8 reaches the loopback) and resolves with its status. */
function postFrom(url: string, delivery: Delivery, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      url,
      { method: "POST", headers: delivery.headers, localAddress: from },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
      },
    );
    sent.once("error", reject);
    sent.end(delivery.body);
  });
}

const readStatuses = (file: string) =>
  existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as number[]) : undefined;
const recordsIn = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".json"));
const keptText = (dir: string) => recordsIn(dir).map((name) => readFileSync(join(dir, name), "utf8"));

describe("the webhook thread under attack", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    nock.cleanAll();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function serve(env: Record<string, string> = {}) {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    const served = await serveSignedWebhooks(SECRET, env, { thread: true });
    // Whatever a failed test left running is done before the next one's GitHub is faked.
    cleanups.push(async () => {
      await served.queue.idle();
      await served.close();
    });
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-ack-attacks-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Counts what the app queued, and what of it ran: every acknowledged delivery is run or dropped by
    // the flood limit (which says so), never lost, never run twice.
    const ran: string[] = [];
    let dropped = 0;
    const enqueue = served.queue.enqueue.bind(served.queue);
    served.queue.enqueue = (lane, job, sender) => {
      const queued = enqueue(
        lane,
        async () => {
          await job();
          ran.push(`${sender?.login ?? "(nobody)"} ${lane}`);
        },
        sender,
      );
      if (!queued) dropped++;
      return queued;
    };
    return { ...served, dir, ran, dropped: () => dropped };
  }

  const repository = () =>
    fakeGitHub({
      ...REPO,
      botLogin: BOT,
      config: `targets:\n  - id: ${TARGET}\n`,
      permissions: { maintainer: { permission: "admin", role_name: "admin" } },
    });

  async function settled(app: Awaited<ReturnType<typeof serve>>): Promise<void> {
    await vi.waitFor(
      async () => {
        await app.queue.idle();
        expect(recordsIn(app.queueDir)).toEqual([]);
      },
      { timeout: 120_000, interval: 200 },
    );
  }

  const held = (gh: ReturnType<typeof repository>, issue: number) =>
    gh.botComments(issue).filter((c) => parseMarker(c.body)?.state === "held");

  // A bound on a hang, not a speed check: 1,240 deliveries are signed, sent, kept and run on a loaded machine.
  it("a flood of 1,000 signed deliveries, 200 forged ones and 20 copies of one: each answered, the forged kept nowhere, the copies done once, nothing taken lost, and a maintainer's /hold done meanwhile", async () => {
    const gh = repository();
    const app = await serve(UNCAPPED);
    const flood = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => signedComment(900 + (i % 40), `flood-${i}`, "/hold", "mallory")),
    );
    const forged = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        signedComment(950, `forged-${i}`, "/hold", "maintainer", "not-the-secret"),
      ),
    );
    const copied = await signedComment(960, "copied-1", "/hold", "maintainer");
    const all: Delivery[] = [];
    for (let i = 0; i < 1000; i++) {
      all.push(flood[i] as Delivery);
      if (i % 5 === 0) all.push(forged[i / 5] as Delivery);
      if (i % 50 === 0) all.push(copied);
    }
    const statusFile = sendApart(app.url, all, app.dir);
    let statuses: number[] = [];
    // The forged ones are never kept, not even for a moment.
    await vi.waitFor(
      () => {
        expect(keptText(app.queueDir).some((text) => text.includes("forged-"))).toBe(false);
        statuses = readStatuses(statusFile) ?? [];
        expect(statuses).toHaveLength(all.length);
      },
      { timeout: 120_000, interval: 100 },
    );
    // Every one answered: the forged refused; the rest taken, or (a body not whole within the read
    // deadline on a loaded machine, the bound of waiting ones) refused so GitHub shows it failed.
    const forgedOnes = new Set<Delivery>(forged);
    all.forEach((delivery, i) => {
      const status = statuses[i] as number;
      if (forgedOnes.has(delivery)) expect([400, 408, 503]).toContain(status);
      else expect([200, 408, 503]).toContain(status);
    });
    const taken = (from: readonly Delivery[]) =>
      all.filter((d, i) => from.includes(d) && statuses[i] === 200);
    // How many are taken depends on the machine (the sender is one process writing 1,221 bodies at once);
    // what is asserted is that none taken is lost.
    expect(taken(flood).length).toBeGreaterThan(0);
    expect(taken([copied]).length).toBeGreaterThan(0);

    // While the flood's jobs still wait, a maintainer's /hold is answered and done.
    const maintainer = await signedComment(961, "maintainer-1", "/hold", "maintainer");
    expect((await fetch(app.url, { method: "POST", ...maintainer })).status).toBe(200);
    await settled(app);

    // The maintainer's /hold, and the delivery copied 20 times, each done once.
    for (const issue of [960, 961]) {
      expect(gh.sent("POST", `/issues/${issue}/labels`)).toHaveLength(1);
      expect(held(gh, issue)).toHaveLength(1);
      expect(app.ran.filter((job) => job.endsWith(`#${issue}`))).toHaveLength(1);
    }
    expect(gh.requests.filter((r) => r.path.includes("/issues/950"))).toEqual([]);
    // Each of the stranger's acknowledged deliveries ran once or was dropped by the flood limit: none lost.
    const strangers = app.ran.filter((job) => job.startsWith("mallory ")).length;
    expect(strangers + app.dropped()).toBe(taken(flood).length);
    expect(app.dropped()).toBeGreaterThan(0);
    // Told once that the rest was dropped: one note, not one per dropped delivery.
    expect(app.ran.filter((job) => job.startsWith("(nobody) "))).toHaveLength(1);
    expect(app.crashes).toEqual([]);
  }, 300_000);

  it("headers that lie (a Content-Length shorter or longer than the body, two delivery ids, both lengths at once) are each answered, and none is kept or run", async () => {
    const gh = repository();
    const app = await serve();
    const hold = await signedComment(970, "liar-1", "/hold", "maintainer");
    const { "x-github-delivery": id, ...headers } = hold.headers;
    const raw = (extra: Record<string, string>, declared: number, body: string, waitMs?: number) =>
      rawExchange(
        app.url,
        head(app.url, { ...headers, "x-github-delivery": id as string, ...extra }, declared) + body,
        waitMs,
      );

    // Shorter: the body is cut where it says, so the signature does not match (400); what follows is no
    // request (400 from the parser), and the connection is closed.
    const shorter = await raw({}, 40, hold.body);
    expect(shorter.closed).toBe(true);
    expect(shorter.statuses[0]).toBe(400);
    expect(shorter.statuses.every((status) => status === 400)).toBe(true);
    // Longer: the body never ends, and is answered 408 at the read deadline, not held.
    const started = Date.now();
    const longer = await raw({}, Buffer.byteLength(hold.body) + 100, hold.body);
    expect(longer.statuses).toEqual([408]);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Two delivery ids (one chosen by the sender could dodge the redelivery check): not a delivery id.
    const twice = await rawExchange(
      app.url,
      `${head(app.url, { ...headers, "x-github-delivery": "liar-2", connection: "close" }, Buffer.byteLength(hold.body)).replace(/\r\n\r\n$/, "\r\nx-github-delivery: liar-3\r\n\r\n")}${hold.body}`,
    );
    expect(twice.statuses).toEqual([400]);
    expect(twice.answer).toContain("not a delivery id");
    // A Content-Length beside chunked encoding: the request is refused as malformed.
    const both = await rawExchange(
      app.url,
      `${head(app.url, { ...hold.headers, "transfer-encoding": "chunked" }, Buffer.byteLength(hold.body))}${Buffer.byteLength(hold.body).toString(16)}\r\n${hold.body}\r\n0\r\n\r\n`,
    );
    expect(both.statuses).toEqual([400]);

    await settled(app);
    expect(gh.requests).toEqual([]);
    expect(app.ran).toEqual([]);
    // The same delivery, sent as GitHub sends it, is then taken and done once.
    expect((await fetch(app.url, { method: "POST", ...hold })).status).toBe(200);
    await settled(app);
    expect(held(gh, 970)).toHaveLength(1);
    expect(app.crashes).toEqual([]);
  });

  it("many connections held open, silent or with half their headers, are closed within a bound, and a maintainer's /hold is done meanwhile", async () => {
    const gh = repository();
    const app = await serve(UNCAPPED);
    const { hostname, port, pathname } = new URL(app.url);
    const opened = Date.now();
    const sockets = Array.from({ length: 400 }, (_, i) =>
      rawExchange(
        app.url,
        i % 2 === 0
          ? ""
          : `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nx-github-event: issue_comment\r\n`,
        60_000,
      ),
    );
    const hold = await signedComment(980, "while-held-1", "/hold", "maintainer");
    expect((await fetch(app.url, { method: "POST", ...hold })).status).toBe(200);
    await settled(app);
    expect(held(gh, 980)).toHaveLength(1);
    const ends = await Promise.all(sockets.map((s) => s.then((r) => ({ ...r, at: Date.now() - opened }))));
    expect(ends.filter((end) => !end.closed)).toEqual([]);
    // Half their headers: answered 408 as Node answers a request not whole in time; silent: closed.
    expect(ends.filter((_, i) => i % 2 === 1).map((end) => end.statuses)).toEqual(
      ends.filter((_, i) => i % 2 === 1).map(() => [408]),
    );
    expect(ends.filter((_, i) => i % 2 === 0).map((end) => end.answer)).toEqual(
      ends.filter((_, i) => i % 2 === 0).map(() => ""),
    );
    // Closed by the server well before Node's own 60 s for headers (and its never, for a silent one).
    expect(Math.max(...ends.map((end) => end.at))).toBeLessThan(25_000);
    expect(app.crashes).toEqual([]);
  }, 120_000);

  it("one address holding its most connections (headers sent slowly, or idle after a request) gets no more, each closed at once, and a maintainer's /hold from another address is answered and done", async () => {
    const gh = repository();
    const app = await serve();
    const { hostname, port, pathname } = new URL(app.url);
    const halfHeaders = `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nx-github-event: issue_comment\r\n`;
    const idleAfterOne = `GET /ping HTTP/1.1\r\nhost: ${hostname}:${port}\r\nconnection: keep-alive\r\n\r\n`;
    // The default cap of one address (128): half of them send headers slowly, half keep an answered
    // connection idle; then 200 more from the same address, each of which would hold a socket as long.
    const holding = Array.from({ length: 128 }, (_, i) =>
      rawExchange(app.url, i % 2 === 0 ? halfHeaders : idleAfterOne, 60_000, "127.0.0.1"),
    );
    const more = Array.from({ length: 200 }, () => rawExchange(app.url, halfHeaders, 60_000, "127.0.0.1"));
    // Another address while the first holds its most.
    const hold = await signedComment(982, "another-address-1", "/hold", "maintainer");
    expect(await postFrom(app.url, hold, "127.0.0.2")).toBe(200);
    await settled(app);
    expect(held(gh, 982)).toHaveLength(1);
    const ends = await Promise.all([...holding, ...more]);
    expect(ends.filter((end) => !end.closed)).toEqual([]);
    // 128 were taken and answered (408 for headers not whole in time, the ping's answer for the idle
    // ones); every other one was closed before a byte of it was read: no answer at all.
    const answered = ends.filter((end) => end.statuses.length > 0);
    const closedUnread = ends.filter((end) => end.answer === "");
    expect(answered).toHaveLength(128);
    expect(closedUnread).toHaveLength(200);
    expect(answered.filter((end) => end.statuses[0] === 408)).toHaveLength(64);
    // Said once, not once per connection closed.
    expect(
      app.threadLogs.filter((line) => line.msg.includes("too many connections from one client")),
    ).toHaveLength(1);
    expect(app.crashes).toEqual([]);
  }, 120_000);

  it("connections from many addresses stop at the total cap, each over it closed at once", async () => {
    repository();
    const app = await serve({
      NOMAD_PATCH_MAX_CONNECTIONS: "50",
      NOMAD_PATCH_MAX_CONNECTIONS_PER_CLIENT: "20",
    });
    const { hostname, port, pathname } = new URL(app.url);
    const halfHeaders = `POST ${pathname} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n`;
    // Four addresses, 20 each: each within its own cap, 80 in all against a total of 50.
    const sockets = ["127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6"].flatMap((from) =>
      Array.from({ length: 20 }, () => rawExchange(app.url, halfHeaders, 60_000, from)),
    );
    const ends = await Promise.all(sockets);
    expect(ends.filter((end) => !end.closed)).toEqual([]);
    expect(ends.filter((end) => end.statuses[0] === 408)).toHaveLength(50);
    expect(ends.filter((end) => end.answer === "")).toHaveLength(30);
    expect(app.threadLogs.filter((line) => line.msg.includes("too many connections open"))).toHaveLength(1);
    expect(app.crashes).toEqual([]);
  }, 120_000);
});
