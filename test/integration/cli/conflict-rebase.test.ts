import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeFileUpdateEvent, FILE_UPDATE } from "../../../src/nomad/index.js";
import type { PatchReview } from "../../../src/patch-request/change-model.js";
import { appendEntries } from "../../../src/service/append-entries.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import {
  type BuiltTarget,
  createProjectTarget,
  createStorageTarget,
  readStreamEntries,
  type StorageTarget,
  testPublish,
} from "../../helpers/nomad-builders/index.js";
import { jsonOf, runCli } from "./run-cli.js";

const README = "# Docs\n\nline one\nline two\nline three\n\n## Usage\n\nRun it.\n";

describe("a lost update reads like a merge conflict, and rebase settles it", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  let work: string;
  let docs: StorageTarget;
  let project: BuiltTarget;
  const as = (node: KuboNode, ...argv: string[]) =>
    runCli(["--kubo", node.apiUrl, ...argv], { env: { NOMAD_PATCH_DATA_DIR: join(work, node.peerId) } });
  const review = async (key: string) => jsonOf<PatchReview>(await as(operator, "--json", "show", key));
  const text = async (cid: string | null | undefined) =>
    new TextDecoder().decode(await operator.store.catFile(CID.parse(cid ?? "")));

  /** The operator changes README.md on their own device, after the contributor exported it. */
  async function operatorWrites(readme: string): Promise<void> {
    const content = await operator.store.addFile(new TextEncoder().encode(readme), { pin: true });
    const id = docs.ids["README.md"] as string;
    await appendEntries(
      { store: operator.store },
      {
        target: docs.id,
        entries: [
          {
            targetId: id,
            eventId: FILE_UPDATE,
            content: encodeFileUpdateEvent({ storableItemId: id, newContentId: content }),
          },
        ],
        publish: testPublish,
      },
    );
  }

  /** The contributor exports the target as it is now, edits README.md and proposes. */
  async function contributorProposes(edit: (readme: string) => string, title: string): Promise<string> {
    const dir = await mkdtemp(join(work, "export-"));
    await rm(dir, { recursive: true });
    expect((await as(contributor, "export", docs.id, dir)).code).toBe(0);
    await writeFile(join(dir, "README.md"), edit(await readFile(join(dir, "README.md"), "utf8")));
    const proposed = await as(contributor, "propose", "--from-folder", dir, "--title", title);
    expect(proposed.code).toBe(0);
    return proposed.stdout.split("\n")[0] as string;
  }

  beforeAll(async () => {
    [operator, contributor] = await Promise.all([startKubo(), startKubo()]);
    await connect(operator, contributor);
    work = await mkdtemp(join(tmpdir(), "nomad-patch-conflict-"));
    docs = await createStorageTarget(operator, {
      name: "Docs",
      files: { "README.md": README, "other.txt": "x\n" },
    });
    project = await createProjectTarget(operator, {
      knownId: "conflict-app",
      name: "Draft",
      features: ["ink"],
    });
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop()]);
    await rm(work, { recursive: true, force: true });
  });

  it("headlines the conflict with both sides, refuses to apply it, and a rebase keeps both changes", async () => {
    const key = await contributorProposes(
      (t) => t.replace("line two", "line 2, clarified"),
      "Clarify line two",
    );
    const clean = await review(key);
    expect(clean.conflicts).toMatchObject({ state: "clean", conflicts: [] });

    await operatorWrites(`${README}\n## Security\n\nReport issues privately.\n`);
    const conflicted = await review(key);
    expect(conflicted.conflicts?.state).toBe("conflicts");
    const [conflict, ...others] = conflicted.conflicts?.conflicts ?? [];
    expect(others).toEqual([]);
    expect(conflict).toMatchObject({ path: "README.md", kind: "file" });
    expect(conflict?.currentDiff).toContain("+## Security");
    expect(conflict?.patchDiff).toContain("+line 2, clarified");
    expect(conflicted.warnings.map((w) => w.code)).toContain("conflict");

    // At the very top of the Markdown (after the hidden marker) and of the terminal text.
    const markdown = (await as(operator, "show", key, "--format", "markdown")).stdout;
    const top = markdown.split("\n").slice(1, 5).join("\n");
    expect(top).toContain("[!CAUTION]");
    expect(markdown).toContain(
      "README.md changed after this patch was written: approving removes those changes",
    );
    // Both sides come after the title and the summary line, and before the rest of the changes.
    expect(markdown.indexOf("+## Security")).toBeGreaterThan(markdown.indexOf("### Patch request"));
    expect(markdown.indexOf("+## Security")).toBeLessThan(markdown.indexOf("#### Files and folders"));
    expect(markdown).toContain(`nomad-patch rebase ${key}`);
    const terminal = (await as(operator, "show", key)).stdout;
    expect(terminal.split("\n")[0]).toContain("CONFLICT");
    expect(terminal).toContain(
      "README.md changed after this patch was written: approving removes those changes",
    );

    // Applying it would delete the Security section: refused, nothing written, unless overridden on purpose.
    const stream = await readStreamEntries(operator, docs.id);
    const refused = await as(operator, "apply", key, "--yes");
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("README.md changed after this patch was written");
    expect(refused.stderr).toContain("--override-conflicts");
    expect(await readStreamEntries(operator, docs.id)).toHaveLength(stream.length);

    // The contributor rebases: the next version of the same key, based on the current target.
    const rebased = await as(contributor, "--json", "rebase", key);
    expect(rebased.code).toBe(0);
    const result = jsonOf<{
      status: string;
      cid: string;
      base: string;
      previousCid: string;
      textMerged: string[];
    }>(rebased);
    expect(result).toMatchObject({
      status: "rebased",
      previousCid: conflicted.patch.cid,
      textMerged: ["README.md"],
    });
    const after = await review(key);
    expect(after.patch.cid).toBe(result.cid);
    expect(after.patch.base).toBe(result.base);
    expect(after.patch.base).toBe(after.target.publishedCid);
    expect(after.conflicts).toMatchObject({ state: "clean", conflicts: [] });
    const items = after.moduleView.kind === "storage" ? after.moduleView.items : [];
    expect(items.map((i) => `${i.change} ${i.path}`)).toEqual(["changed README.md"]);
    const merged = await text(items[0]?.afterContent);
    expect(merged).toContain("line 2, clarified");
    expect(merged).toContain("## Security");
    expect(merged).not.toContain("line two");

    const applied = await as(operator, "--json", "apply", key, "--yes");
    expect(applied.code).toBe(0);
    expect(jsonOf<{ roamingCid: string }>(applied).roamingCid).toBe(after.predictedResultCid);
  });

  it("reports changes it cannot merge, publishes nothing, and exits 3", async () => {
    const key = await contributorProposes(
      (t) => t.replace("line one", "line one, by the contributor"),
      "Line one",
    );
    const readme = await text(currentReadme(await review(key)));
    await operatorWrites(readme.replace("line one", "line one, by the operator"));
    const before = await review(key);
    expect(before.conflicts?.state).toBe("conflicts");

    const rebased = await as(contributor, "rebase", key);
    expect(rebased.code).toBe(3);
    expect(rebased.stdout).toContain("README.md");
    expect(rebased.stdout).toContain("-line one");
    expect(rebased.stdout).toContain("+line one, by the operator");
    expect(rebased.stdout).toContain("+line one, by the contributor");
    expect(rebased.stderr).toContain("Nothing was published");
    const json = await as(contributor, "--json", "rebase", key);
    expect(json.code).toBe(3);
    expect(jsonOf<{ status: string; conflicts: { path: string }[] }>(json)).toMatchObject({
      status: "conflicts",
      conflicts: [{ path: "README.md" }],
    });
    expect((await review(key)).patch.cid).toBe(before.patch.cid);
  });

  it("value fields: both sides changed conflicts; only one side merges", async () => {
    const P = project.id;
    const name = await as(
      contributor,
      "propose",
      "--target",
      P,
      "--title",
      "Rename",
      "--set",
      "Name=Contributor's",
    );
    const feature = await as(
      contributor,
      "propose",
      "--target",
      P,
      "--title",
      "Beta",
      "--add",
      "Features=beta",
    );
    const [nameKey, featureKey] = [name, feature].map((run) => run.stdout.split("\n")[0] as string);
    // The operator renames the project and adds a feature of their own after both were written.
    const entries = [
      {
        targetId: P,
        eventId: "UpdateNameAsync",
        content: await putValueUpdate(operator.store, { value: "Operator's" }),
      },
      {
        targetId: P,
        eventId: "AddFeatureAsync",
        content: await putValueUpdate(operator.store, { value: "sync" }),
      },
    ];
    await appendEntries({ store: operator.store }, { target: P, entries, publish: testPublish });

    const nameReview = await review(nameKey as string);
    expect(nameReview.conflicts?.conflicts).toEqual([
      { path: "Name", base: "Draft", current: "Operator's", patch: "Contributor's" },
    ]);
    const featureReview = await review(featureKey as string);
    expect(featureReview.conflicts?.state).toBe("clean");

    const conflicting = await as(contributor, "rebase", nameKey as string);
    expect(conflicting.code).toBe(3);
    expect(conflicting.stdout).toContain(
      'Name: base "Draft" → now "Operator\'s"; the patch: "Contributor\'s"',
    );
    // Only the node holding the patch's keys can publish its next version.
    const notMine = await as(operator, "rebase", featureKey as string);
    expect(notMine.code).toBe(64);
    expect(notMine.stderr).toContain("does not hold the keys of patch request");
    const clean = await as(contributor, "--json", "rebase", featureKey as string);
    expect(clean.code).toBe(0);
    const rebased = await review(featureKey as string);
    expect(rebased.patch.base).toBe(rebased.target.publishedCid);
    expect(rebased.moduleView).toEqual({
      kind: "fields",
      fields: [{ path: "Features[beta]", change: "added", after: "beta" }],
    });
  });
});

function currentReadme(review: PatchReview): string {
  const items = review.moduleView.kind === "storage" ? review.moduleView.items : [];
  return items.find((item) => item.path === "README.md")?.beforeContent ?? "";
}
