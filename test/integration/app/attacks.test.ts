import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
// A target the repository may configure instead: any valid roaming key id.
const OTHER_TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";

const markers = (app: TestApp, issue: number) => app.gh.botComments(issue).map((c) => parseMarker(c.body));

describe("the GitHub App: an approval and what changed around its review", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  async function reviewed(name: string, issues: readonly number[]) {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, name);
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    for (const number of issues) {
      await app.deliver("issues", issueOpened({ number, body: `Patch: ${patch.key}` }));
    }
    await app.settle();
    for (const number of issues)
      expect(markers(app, number)).toMatchObject([{ kind: "review", state: "ready" }]);
    const renames = async () =>
      (await operatorView(pair.operator.store, target.id)).eventIds.filter((id) => id === "UpdateNameAsync");
    return { app, target, patch, renames };
  }

  it("applies a key offered on two issues once: an approval on the second says it was applied", async () => {
    const { app, renames } = await reviewed("Offered Twice", [81, 82]);
    await app.deliver("issue_comment", commentCreated({ number: 81 }, "/apply", "maintainer"));
    await app.settle();
    expect(markers(app, 81).at(-1)).toMatchObject({ kind: "status", state: "applied" });
    await app.deliver("issue_comment", commentCreated({ number: 82 }, "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(await renames()).toHaveLength(1);
    expect(markers(app, 82).at(-1)).toMatchObject({ kind: "status" });
    expect(["applied", "already-applied"]).toContain(
      (markers(app, 82).at(-1) as { state?: string } | undefined)?.state,
    );
  });

  it("refuses /apply when the repository stopped configuring the target after the review, writing nothing", async () => {
    const { app, target, renames } = await reviewed("Target Dropped", [83]);
    // The configuration the approval reads no longer names the patch's target.
    app.gh.setConfig(configYaml(OTHER_TARGET));
    await app.deliver("issue_comment", commentCreated({ number: 83 }, "/apply", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(await renames()).toEqual([]);
    const last = app.gh.botComments(83).at(-1);
    expect(parseMarker(last?.body)).toMatchObject({ kind: "status" });
    expect(parseMarker(last?.body)).not.toMatchObject({ state: "applied" });
    // The refusal holds while the configuration does not name the target; a commit lifts it, so it is
    // not called one that no one can override.
    expect(last?.body).toContain(
      "the repository's configuration does not name its target, and while it does not, no approval can apply it",
    );
    expect(last?.body).not.toContain("no one can override");
    // It names the target the configuration dropped, and what a maintainer does to take the patch again.
    expect(last?.body).toContain(
      `The patch is for the target \`${target.id}\`, which \`.github/nomad-patch.yml\` no longer names`,
    );
    expect(last?.body).toContain("add it back under `targets:` in `.github/nomad-patch.yml`");
  });

  it("answers /refresh once the repository stopped configuring the target: the review no longer reads ready", async () => {
    const { app, target, renames } = await reviewed("Target Dropped Refresh", [84]);
    app.gh.setConfig(configYaml(OTHER_TARGET));
    await app.deliver("issue_comment", commentCreated({ number: 84 }, "/refresh", "maintainer"));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(await renames()).toEqual([]);
    // The review that read "Ready to apply" is not left standing as it was, and the issue says why.
    expect(markers(app, 84).filter((m) => m?.kind === "review" && m.state === "ready")).toEqual([]);
    const bodies = app.gh.botComments(84).map((c) => c.body);
    expect(
      bodies.some(
        (body) =>
          body.includes(target.id) && body.includes("not one of the targets") && body.includes("targets:"),
      ),
    ).toBe(true);
  });
});
