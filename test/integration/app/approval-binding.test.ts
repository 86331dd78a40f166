import { describe, expect, it } from "vitest";
import { parseMarker } from "../../../src/render/marker.js";
import { updatePatchRequest } from "../../../src/service/propose-update.js";
import { appPerTest, kuboPairPerSuite, type TestApp } from "./harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "./nomad-data.js";
import { commentCreated, issueLabeled, issueOpened } from "./payloads.js";

const WRITER = { permission: "write", role_name: "write" };
const APPROVE = "nomad-patch: approve";

const markers = (app: TestApp, issue: number) => app.gh.botComments(issue).map((c) => parseMarker(c.body));
const reviews = (app: TestApp, issue: number) =>
  app.gh.botComments(issue).filter((c) => parseMarker(c.body)?.kind === "review");
const statuses = (app: TestApp, issue: number) =>
  markers(app, issue).flatMap((m) => (m?.kind === "status" ? [m.state] : []));

describe("the GitHub App: an approval applies only the version its giver could have seen", () => {
  const pair = kuboPairPerSuite();
  const apps = appPerTest();

  async function start(target: { id: string }) {
    return apps.start(pair.operator.store, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER, stranger: { permission: "read", role_name: "read" } },
    });
  }

  it("posts a new review when a refresh finds a new version, and refuses approvals of the old one", async () => {
    const target = await createProject(pair.operator.store);
    const v1 = await proposeRename(pair.contributor.store, target, "Version One");
    const issue = { number: 60, body: `Patch: ${v1.key}` };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const [first] = reviews(app, 60);
    expect(parseMarker(first?.body)).toMatchObject({ cid: v1.cid.toString(), state: "ready" });
    expect(first?.body).toContain(`\`/apply ${v1.cid.toString().slice(0, 20)}\``);

    // The maintainer reads v1 and approves; meanwhile the key is re-pointed and a stranger refreshes.
    const early = commentCreated(issue, "/apply", "maintainer");
    const v2 = await updatePatchRequest(
      { store: pair.contributor.store },
      { key: v1.key, title: "Version Two", publish: { allowOffline: true } },
    );
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger"));
    await app.settle();

    const [old, current] = reviews(app, 60);
    expect(old?.id).toBe(first?.id);
    expect(parseMarker(old?.body)).toMatchObject({ cid: v1.cid.toString(), state: "superseded" });
    expect(old?.body).not.toContain("/apply");
    expect(parseMarker(current?.body)).toMatchObject({ cid: v2.cid.toString(), state: "ready" });
    expect(current?.body).toContain("This patch changed since the review above");
    expect(current?.body).toContain(`patch CID \`${v1.cid}\` → \`${v2.cid}\``);
    // The revision list: r1 and r2 with their CIDs, and what changed between them (only the title here).
    expect(current?.body).toContain("(r1 → r2: title changed;");
    expect(current?.body).toContain(`- r1 · \`${v1.cid}\` · seen `);
    expect(current?.body).toMatch(
      new RegExp(`- \\*\\*r2\\*\\* \\(this review\\) · \`${v2.cid}\` · seen [^·]+ · title changed`),
    );
    expect(parseMarker(current?.body)).toMatchObject({
      revs: [
        { n: 1, cid: v1.cid.toString() },
        { n: 2, cid: v2.cid.toString(), ch: { added: 0, removed: 0, changed: 0, title: true } },
      ],
    });
    expect(current?.body).toContain("Approvals given before this comment are void");

    // The approval written before the new review arrives late: it applies nothing.
    await app.deliver("issue_comment", early);
    await app.settle();
    expect(statuses(app, 60)).toEqual(["denied"]);
    expect(app.gh.botComments(60).at(-1)?.body).toContain("was given before the review of patch");

    // Naming the old version is refused too, and says what to type for the current one.
    await app.deliver(
      "issue_comment",
      commentCreated(issue, `/apply ${v1.cid.toString().slice(0, 12)}`, "maintainer"),
    );
    await app.settle();
    const refusal = app.gh.botComments(60).at(-1)?.body;
    expect(refusal).toContain(
      `names r1 of patch \`${v1.key}\`, which r2 (\`${v2.cid}\`) replaced: title changed.`,
    );
    expect(refusal).toContain(`\`/apply ${v2.cid.toString().slice(0, 20)}\``);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);

    // An approval naming the current version, given after its review, applies it.
    await app.deliver(
      "issue_comment",
      commentCreated(issue, `/apply ${v2.cid.toString().slice(0, 20)}`, "maintainer"),
    );
    await app.settle();
    expect(app.failures).toEqual([]);
    expect(statuses(app, 60)).toEqual(["denied", "denied", "applied"]);
    expect(parseMarker(app.gh.botComments(60).at(-1)?.body)).toMatchObject({ cid: v2.cid.toString() });
    expect((await operatorView(pair.operator.store, target.id)).name).toBe("Version One");
  });

  it("writes nothing when a refresh finds the same version", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Unchanged");
    const issue = { number: 61, body: `Patch: ${patch.key}` };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const writes = () => app.gh.requests.filter((r) => r.method !== "GET").length;
    const before = writes();

    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "stranger", { id: 9 }));
    await app.settle();
    // Only the reaction that says the bot saw the command.
    expect(writes()).toBe(before + 1);
    expect(app.gh.sent("POST", "/issues/comments/9/reactions")).toHaveLength(1);
    expect(reviews(app, 61)).toHaveLength(1);
  });

  it("refuses an approve label added before the review was posted, and takes it off", async () => {
    const target = await createProject(pair.operator.store);
    const patch = await proposeRename(pair.contributor.store, target, "Labelled Early");
    const issue = { number: 62, body: `Patch: ${patch.key}` };
    const app = await start(target);
    const labelled = issueLabeled({ ...issue, labels: [APPROVE] }, APPROVE, "maintainer");
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    app.gh.labels.add(APPROVE);
    await app.deliver("issues", labelled);
    await app.settle();

    expect(statuses(app, 62)).toEqual(["denied"]);
    expect(app.gh.botComments(62).at(-1)?.body).toContain("the approval label");
    expect(app.gh.labels.has(APPROVE)).toBe(false);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);
  });

  it("asks which patch a bare approval means when the issue has several, and applies only the one named", async () => {
    const target = await createProject(pair.operator.store);
    const wanted = await proposeRename(pair.contributor.store, target, "Wanted");
    const other = await proposeRename(pair.contributor.store, target, "Someone Else's");
    const issue = { number: 63, body: `Patch: ${wanted.key}` };
    const app = await start(target);
    await app.deliver("issues", issueOpened(issue));
    await app.deliver("issue_comment", commentCreated(issue, `Mine too: Patch: ${other.key}`, "stranger"));
    await app.settle();
    expect(reviews(app, 63)).toHaveLength(2);

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer"));
    await app.settle();
    const question = app.gh.botComments(63).at(-1)?.body;
    expect(statuses(app, 63)).toEqual(["denied"]);
    expect(question).toContain("this issue has 2 patches that can be approved");
    expect(question).toContain(`\`/apply ${wanted.cid.toString().slice(0, 20)}\``);
    expect(question).toContain(`\`/apply ${other.cid.toString().slice(0, 20)}\``);
    expect((await operatorView(pair.operator.store, target.id)).eventIds).toEqual([]);

    // A label is a bare approval as well.
    app.gh.labels.add(APPROVE);
    await app.deliver("issues", issueLabeled({ ...issue, labels: [APPROVE] }, APPROVE, "maintainer"));
    await app.settle();
    expect(statuses(app, 63)).toEqual(["denied", "denied"]);
    expect(app.gh.labels.has(APPROVE)).toBe(false);

    await app.deliver(
      "issue_comment",
      commentCreated(issue, `/apply ${wanted.key.slice(0, 30)}`, "maintainer"),
    );
    await app.settle();
    expect(app.failures).toEqual([]);
    const view = await operatorView(pair.operator.store, target.id);
    expect(view.name).toBe("Wanted");
    expect(view.eventIds).toHaveLength(1);
    expect(parseMarker(app.gh.botComments(63).at(-1)?.body)).toMatchObject({
      state: "applied",
      cid: wanted.cid.toString(),
    });
  });
});
