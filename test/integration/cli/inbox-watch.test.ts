import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readInboxRecord } from "../../../src/service/inbox/inbox-record.js";
import { openNodeJournal } from "../../../src/service/node-journal.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { type BuiltTarget, createProjectTarget } from "../../helpers/nomad-builders/index.js";
import { pubsubConfig } from "../pair/pair-room.js";
import { jsonOf, runCli } from "./run-cli.js";

interface Listing {
  inboxes: { target: string; items: { key: string; status: string; cid?: string; reason?: string }[] }[];
}

describe("delivering patch keys to a target's inbox, and watch deciding them by the rules without GitHub", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let work: string;
  let project: BuiltTarget;
  const env = { NOMAD_PATCH_RESOLVE_TIMEOUT_SECONDS: "20" };
  const as = (node: KuboNode, argv: string[], interrupted?: AbortSignal) =>
    runCli(["--kubo", node.apiUrl, "--data-dir", join(work, node.peerId), ...argv], {
      env,
      cwd: work,
      interrupted,
    });
  const propose = async (...change: string[]) => {
    const run = await as(contributor, ["--json", "propose", "--target", project.id, ...change]);
    expect(run.code, run.stderr).toBe(0);
    return jsonOf<{ key: string; cid: string }>(run);
  };
  const roamingValue = async () =>
    (await operator.store.dagGet(
      (await operator.store.resolveName(project.id, { nocache: true })) as never,
    )) as Record<string, unknown>;

  beforeAll(async () => {
    [operator, contributor] = await Promise.all([
      startKubo({ config: pubsubConfig }),
      startKubo({ config: pubsubConfig }),
    ]);
    await connect(operator, contributor);
    work = await mkdtemp(join(tmpdir(), "nomad-patch-watch-"));
    project = await createProjectTarget(operator, {
      knownId: "watched-app",
      name: "Draft",
      description: "As it was",
    });
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("lists a key delivered while the operator's inbox listens", async () => {
    const signalListeners = () => [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const listenersBefore = signalListeners();
    const listening = as(operator, ["--json", "inbox", project.id, "--listen", "60", "--count", "1"]);
    const patch = await propose("--title", "Tagline", "--set", "ExtendedDescription=Hello");
    const delivered = await as(contributor, ["--json", "deliver", patch.key, "--inbox", project.id]);
    expect(delivered.code, delivered.stderr).toBe(0);
    expect(jsonOf(delivered)).toMatchObject({ key: patch.key, target: project.id, peers: [operator.peerId] });
    const listed = await listening;
    expect(listed.code, listed.stderr).toBe(0);
    // A listen that ended at its count takes back its SIGINT/SIGTERM listeners: the process runs on.
    expect(signalListeners()).toEqual(listenersBefore);
    const listing = jsonOf<Listing & { counts: { accepted: number } }>(listed);
    expect(listing.counts.accepted).toBe(1);
    expect(listing.inboxes).toEqual([
      {
        target: project.id,
        topic: `/nomad-patch/inbox/1/${project.id}`,
        items: [expect.objectContaining({ key: patch.key, cid: patch.cid, status: "new", title: "Tagline" })],
      },
    ]);
  });

  // A bound on a hang, not a speed check: its wait for the decisions allows 90 s, beyond the project's 60 s.
  it("applies a patch every rule allows, rejects one a rule refuses, leaves one for a person, then stops", async () => {
    const rules = join(work, "rules.yml");
    await writeFile(
      rules,
      [
        "targets:",
        `  - id: ${project.id}`,
        "rules:",
        "  - name: descriptions need a conversation",
        "    match: { eventId: UpdateDescriptionAsync }",
        "    action: reject",
        "  - name: renames are fine",
        "    match: { eventId: UpdateNameAsync }",
        "    action: apply",
        "",
      ].join("\n"),
    );
    const stop = new AbortController();
    const watching = as(operator, ["--json", "watch", "--config", rules], stop.signal);

    // Delivered by propose itself, and by deliver: both wait until the watch listens.
    const rename = await as(contributor, [
      "--json",
      "propose",
      "--target",
      project.id,
      "--title",
      "Rename",
      "--set",
      "Name=Renamed",
      "--deliver",
      "inbox",
    ]);
    expect(rename.code, rename.stderr).toBe(0);
    const renamed = jsonOf<{ key: string; cid: string; delivered: { peers: string[] } }>(rename);
    expect(renamed.delivered.peers).toEqual([operator.peerId]);
    const describe = await propose("--title", "Describe", "--set", "Description=Rewritten");
    const feature = await propose("--title", "A feature", "--add", "Features=dark mode");
    for (const patch of [describe, feature])
      expect((await as(contributor, ["deliver", patch.key, "--inbox", project.id])).code).toBe(0);

    await vi.waitFor(
      async () => {
        const { items } = await readInboxRecord(join(work, operator.peerId), project.id);
        const decided = items.filter((i) => i.status !== "new").map((i) => i.key);
        expect(decided).toEqual(expect.arrayContaining([renamed.key, describe.key, feature.key]));
      },
      { timeout: 90_000, interval: 500 },
    );
    stop.abort();
    const watched = await watching;
    expect(watched.code, watched.stderr).toBe(0);
    const lines = watched.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const decision = (key: string) => lines.find((l) => l.event === "decision" && l.key === key);
    expect(decision(renamed.key)).toMatchObject({ status: "applied", cid: renamed.cid });
    expect(decision(describe.key)).toMatchObject({
      status: "rejected",
      cid: describe.cid,
      reason: expect.stringContaining("descriptions need a conversation"),
    });
    expect(decision(feature.key)).toMatchObject({ status: "reviewed", cid: feature.cid });
    expect(lines.at(-1)).toMatchObject({ event: "stopped", counts: { accepted: 3, invalid: 0 } });

    // The target carries the rename and nothing else; the journal holds the applied version only.
    expect(await roamingValue()).toMatchObject({ Name: "Renamed", Description: "As it was", Features: [] });
    expect(decision(renamed.key)?.roamingCid).toBe(
      (await operator.store.resolveName(project.id, { nocache: true }))?.toString(),
    );
    const journal = await openNodeJournal(operator.store, join(work, operator.peerId));
    expect((await journal.get(renamed.cid))?.state).toBe("done");
    expect(await journal.get(describe.cid)).toBeUndefined();
    expect(await journal.get(feature.cid)).toBeUndefined();

    const listed = await as(operator, ["--json", "inbox"]);
    expect(listed.code, listed.stderr).toBe(0);
    const statuses = Object.fromEntries(
      jsonOf<Listing>(listed).inboxes.flatMap((inbox) => inbox.items.map((i) => [i.key, i.status])),
    );
    expect(statuses).toMatchObject({
      [renamed.key]: "applied",
      [describe.key]: "rejected",
      [feature.key]: "reviewed",
    });
    const text = await as(operator, ["inbox", project.id]);
    expect(text.stdout).toContain(`${feature.key}  reviewed, waiting for a person`);
  }, 120_000); // the wait for the decisions above is bounded at 90 s

  it("refuses a rules file that does not name the target, before reaching any node", async () => {
    const rules = join(work, "other.yml");
    await writeFile(rules, `targets:\n  - id: ${contributor.peerId}\n`);
    const run = await runCli(["--kubo", "http://127.0.0.1:9", "watch", project.id, "--config", rules], {
      env,
    });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("is not a target of");
  }, 180_000);
});
