import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBlock, SOURCE_ADD_EVENT_ID } from "../../../src/nomad/index.js";
import type { ApplyOutcome } from "../../../src/patch-request/apply-outcome.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import type { InitializedDevice } from "../../../src/service/init-device.js";
import { loadTarget } from "../../../src/service/load-target.js";
import type { NodeStatus } from "../../../src/service/node-status.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { type BuiltTarget, createProjectTarget, testPublish } from "../../helpers/nomad-builders/index.js";
import { jsonOf, runCli } from "./run-cli.js";

const link = { Id: "link-1", Url: "https://example.com", Name: "Website", Description: "Homepage" };

describe("a WindowsAppCommunity project patched through a bot device set up with init", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let bot: KuboNode;
  let work: string;
  let project: BuiltTarget;
  const as = (node: KuboNode, ...argv: string[]) =>
    runCli(["--kubo", node.apiUrl, ...argv], {
      env: { NOMAD_PATCH_DATA_DIR: join(work, node.peerId) },
      cwd: work,
    });

  beforeAll(async () => {
    [operator, contributor, bot] = await Promise.all([startKubo(), startKubo(), startKubo()]);
    await Promise.all([connect(operator, contributor), connect(operator, bot), connect(contributor, bot)]);
    work = await mkdtemp(join(tmpdir(), "nomad-patch-project-"));
    project = await createProjectTarget(operator, { knownId: "my-app", name: "Draft", features: ["ink"] });
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop(), bot?.stop()]);
    await rm(work, { recursive: true, force: true });
  });

  it("sets the bot up, which then applies a name change and a new link that every reader sees", async () => {
    const P = project.id;
    const noKey = await as(bot, "init", P);
    expect(noKey.code).toBe(64);
    expect(noKey.stderr).toContain("--roaming-key-file");

    await writeFile(join(work, "roaming.key"), await operator.store.exportKey(project.keyNames.roaming));
    const init = await as(bot, "--json", "init", P, "--roaming-key-file", "roaming.key", "--name", "my-app");
    expect(init.code).toBe(0);
    const device = jsonOf<InitializedDevice>(init);
    expect(device).toMatchObject({
      targetId: P,
      module: "wac-project",
      roamingKeyName: project.keyNames.roaming,
      localKeyName: project.keyNames.local,
      importedRoamingKey: true,
      createdLocalKey: true,
      pairingEntry: { TargetId: P, EventId: SOURCE_ADD_EVENT_ID, Content: device.localId },
    });
    expect((await as(bot, "init", P)).stdout).toContain(device.localId);

    const status = jsonOf<NodeStatus>(await as(bot, "--json", "status", P));
    expect(status.devices.map((d) => d.id)).toEqual([P]);
    expect(status.checked).toEqual([
      { id: P, canModify: true, module: "wac-project", publishedCid: project.roamingCid.toString() },
    ]);
    const readOnly = jsonOf<NodeStatus>(await as(contributor, "--json", "status", P));
    expect(readOnly.checked[0]?.canModify).toBe(false);

    // The operator pairs the bot, as the printed instructions say.
    await appendEntries(
      { store: operator.store },
      {
        target: P,
        publish: testPublish,
        entries: [{ targetId: P, eventId: SOURCE_ADD_EVENT_ID, content: device.localId }],
      },
    );

    const proposed = await as(
      contributor,
      "--json",
      "propose",
      "--target",
      P,
      "--title",
      "Rename and link",
      "--set",
      "Name=My App",
      "--add",
      `Links=${JSON.stringify(link)}`,
      "--remove",
      "Features=ink",
    );
    expect(proposed.code).toBe(0);
    const { key } = jsonOf<{ key: string }>(proposed);

    const review = jsonOf<PatchReview>(await as(bot, "show", key, "--format", "json"));
    expect(review.target.canApply).toBe(true);
    expect(review.entries.map((e) => e.eventId)).toEqual([
      "UpdateNameAsync",
      "AddLinkAsync",
      "RemoveFeatureAsync",
    ]);
    const fields = review.moduleView.kind === "fields" ? review.moduleView.fields : [];
    expect(fields.find((f) => f.path === "Name")).toMatchObject({
      change: "changed",
      before: "Draft",
      after: "My App",
    });
    expect(fields.some((f) => f.path.startsWith("Links") && f.change === "added")).toBe(true);

    const outcome = jsonOf<ApplyOutcome>(await as(bot, "--json", "apply", key, "--yes"));
    expect(outcome).toMatchObject({ status: "applied", localKey: device.localId });
    expect(outcome.roamingCid).toBe(review.predictedResultCid);

    // The contributor only reads the project: it folds every source, the bot's included.
    const seen = await loadTarget({ store: contributor.store }, { target: P });
    expect(seen.state).toMatchObject({ Name: "My App", Links: [link], Features: [] });
    expect((await encodeBlock(seen.state)).cid.toString()).toBe(review.predictedResultCid);
    expect(seen.sources).toContain(device.localId);
  });

  it("refuses an unknown field with the fields it knows, before writing anything", async () => {
    const run = await as(
      contributor,
      "propose",
      "--target",
      project.id,
      "--title",
      "x",
      "--set",
      "Colour=red",
    );
    expect(run.code).toBe(64);
    expect(run.stderr).toContain('no field "Colour"');
    expect(run.stderr).toContain("AccentColor");
  });
});
