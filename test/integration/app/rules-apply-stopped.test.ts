import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWorkQueue } from "../../../src/app/work-queue.js";
import { parseMarker } from "../../../src/render/marker.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { fakeGitHub } from "./github-fake.js";
import { BOT, kuboPairPerSuite, loadApp } from "./harness.js";
import { recordLogs } from "./log-recorder.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened, REPO } from "./payloads.js";
import { type StopPoint, stoppingAt } from "./stopped-process.js";

type Delivery = Parameters<Probot["receive"]>[0];

const APPLY_NAMES = ["rules:", "  - match: { eventId: UpdateNameAsync }", "    action: apply"].join("\n");
const pinning = (args: unknown[]) => (args[1] as { pin?: boolean } | undefined)?.pin === true;

/**
 * An apply the repository's rules decided, stopped at each of its steps (docs/design.md §6, and the steps of
 * `applyPatch`). The event that opened the issue is still in the queue directory, so the next process replays
 * it: the issue then says, once, that the patch was applied, without a person asking, and the entry is in the
 * operator's stream exactly once.
 */
describe("the GitHub App: an automatic apply stopped part way", () => {
  const pair = kuboPairPerSuite();
  let dataDir = "";
  beforeEach(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-rules-stopped-"));
  });
  afterEach(async () => {
    nock.cleanAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  const points: { readonly name: string; readonly point: StopPoint; readonly left: string }[] = [
    { name: "after its plan was recorded", point: { journal: "planned" }, left: "planned" },
    {
      name: "after the entries were written, before the local publish",
      point: { store: "publishName", nth: 1 },
      left: "planned",
    },
    {
      name: "after the local publish was recorded, before the roaming one",
      point: { journal: "local-published" },
      left: "local-published",
    },
    {
      name: "after the roaming publish, before the outcome was recorded",
      point: { store: "dagPut", nth: 1, match: pinning },
      left: "local-published",
    },
    { name: "after the outcome was recorded, before its comment", point: { journal: "done" }, left: "done" },
  ];

  for (const [i, { name, point, left }] of points.entries()) {
    it(`says it was applied, once, after a stop ${name}`, async () => {
      const target = await createProject(pair.operator.store);
      const patch = await proposeRename(pair.contributor.store, target, `Stopped ${i}`);
      const gh = fakeGitHub({ ...REPO, botLogin: BOT, config: `${configYaml(target.id)}\n${APPLY_NAMES}` });
      const number = 400 + i;
      const issue = { number, body: `Patch: ${patch.key}` };

      const first = stoppingAt(pair.operator.store, point);
      const before = await loadApp(first.store, dataDir, createWorkQueue(), recordLogs(), {
        journal: first.journal,
      });
      await before.receive({ id: `opened-${i}`, name: "issues", payload: issueOpened(issue) } as Delivery);
      await first.stop;
      const review = gh.botComments(number).map((c) => parseMarker(c.body));
      expect(review).toMatchObject([{ kind: "review", cid: patch.cid.toString(), state: "ready" }]);
      expect((await (await openFileJournal(dataDir)).get(patch.cid.toString()))?.state).toBe(left);
      expect(await records()).toHaveLength(1);

      // The next process replays the opening: nobody comments, labels or approves.
      const failures: unknown[] = [];
      const queue = createWorkQueue((error) => failures.push(error));
      const logs = recordLogs();
      const after = await loadApp(pair.operator.store, dataDir, queue, logs);
      await queue.idle();
      expect(failures).toEqual([]);
      const said = gh.botComments(number).map((c) => parseMarker(c.body));
      expect(said).toMatchObject([
        { kind: "review", state: "ready" },
        { kind: "status", state: "applied", key: patch.key, cid: patch.cid.toString() },
      ]);
      const view = await operatorView(pair.operator.store, target.id);
      expect(view.name).toBe(`Stopped ${i}`);
      expect(view.eventIds).toEqual(["UpdateNameAsync"]);
      const outcome = gh.botComments(number).at(-1)?.body;
      expect(outcome).toContain(
        `**New roaming value:** \`${view.published}\` (exactly the predicted result ✔)`,
      );
      // The journal kept who approved: the rules, not a person who was never asked.
      expect(outcome).toContain("**Approved by:** the repository's rules");
      expect([...gh.labels]).toEqual(["nomad-patch: applied"]);
      expect(await records()).toEqual([]);

      // Never twice: a /refresh and a redelivery of the opening find it said, and write nothing.
      const written = gh.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/reactions")).length;
      const refresh = commentCreated(issue, "/refresh", "contributor");
      await after.receive({ id: `refresh-${i}`, name: "issue_comment", payload: refresh } as Delivery);
      await after.receive({ id: `again-${i}`, name: "issues", payload: issueOpened(issue) } as Delivery);
      await queue.idle();
      expect(failures).toEqual([]);
      expect(gh.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/reactions")).length).toBe(
        written,
      );
      expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual(["UpdateNameAsync"]);
    });
  }

  const records = async () =>
    (await readdir(join(dataDir, "queue")).catch(() => [] as string[])).filter((n) => n.endsWith(".json"));
});
