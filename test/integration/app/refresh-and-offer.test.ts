import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { gitHubTime } from "./github-clock.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, proposeRename } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";

const PERMISSIONS = {
  maintainer: { permission: "write", role_name: "write" },
  stranger: { permission: "read", role_name: "read" },
};
const NOT_A_PATCH = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";
const writes = (app: TestApp) => app.gh.requests.filter((r) => r.method !== "GET").length;
const reviewCids = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).flatMap((c) => {
    const marker = parseMarker(c.body);
    return marker?.kind === "review" && marker.state !== "superseded" ? [marker.cid] : [];
  });

describe("the GitHub App: refresh limits and the offer label", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  it("gives someone who may not approve one refresh per issue every 5 minutes, and writes nothing past it", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Refreshed");
    const app = await apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: PERMISSIONS,
    });
    const issue = { number: 90, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const republish = (title: string) =>
      updatePatchRequest(
        { store: pair.contributor.store },
        { key: patch.key, title, publish: { allowOffline: true } },
      );

    const v2 = await republish("Second");
    const first = gitHubTime();
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger", { at: first }));
    await app.settle();
    expect(reviewCids(app, 90)).toEqual([v2.cid.toString()]);

    // A minute later the stranger is over the limit: nothing at all is written, and the log says why.
    const v3 = await republish("Third");
    const before = writes(app);
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    await app.settle();
    expect(writes(app)).toBe(before);
    expect(
      app.logs.some((line) => line.msg === "refresh ignored: this person refreshed this issue too recently"),
    ).toBe(true);

    // Someone who may approve is never limited; the stranger may refresh again after 5 minutes.
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "maintainer"));
    await app.settle();
    expect(reviewCids(app, 90)).toEqual([v3.cid.toString()]);
    const v4 = await republish("Fourth");
    const later = new Date(Date.parse(first) + 5 * 60_000 + 1000).toISOString();
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger", { at: later }));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(reviewCids(app, 90)).toEqual([v4.cid.toString()]);
  });

  it("takes only the configured offer label as marking a patch offer", async () => {
    const target = await createProject(pair.operator.store);
    const config = `${configYaml(target.id, "limits:\n  resolveTimeoutSeconds: 2")}\nlabels:\n  offer: patch offer`;
    const app = await apps.start(pair.operator.store, { config });
    const mention = `Related: ${NOT_A_PATCH}`;
    // "needs-patch" names a patch, which is what counts without `labels.offer`; with it, only that label does.
    await app.deliver("issues", issueOpened({ number: 91, body: mention, labels: ["needs-patch"] }));
    await app.settle();
    expect(app.gh.botComments(91)).toEqual([]);

    await app.deliver("issues", issueOpened({ number: 92, body: mention, labels: ["Patch Offer"] }));
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(parseMarker(app.gh.botComments(92)[0]?.body)).toMatchObject({ kind: "review", state: "failed" });
  });
});
