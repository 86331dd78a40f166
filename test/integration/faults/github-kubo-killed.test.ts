import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { delegateStore } from "../../../src/ipfs/delegate-store.js";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { appPerTest } from "../app/harness.js";
import { configYaml, createProject, operatorView, proposeRename } from "../app/nomad-data.js";
import { commentCreated, commentEdited, issueOpened } from "../app/payloads.js";
import { withFault } from "./fault-store.js";

const WRITER = { permission: "write", role_name: "write" };

/**
 * The operator's Kubo SIGKILLed in the middle of an apply the GitHub App runs: the issue says it failed,
 * and once Kubo is back a new `/apply` finishes the same apply, each entry once. An edited comment and a
 * late redelivery change nothing. GitHub is faked (nock), the Kubo nodes are real.
 */
describe("the app when Kubo dies during an apply", () => {
  let operator: KuboNode;
  let contributor: KuboNode;
  const apps = appPerTest();
  // The app keeps one store; this one follows the operator's node across restarts (its API port changes).
  let current: IpfsStore;
  // Methods are looked up on the current store at each call; anything else (the block cache's fold memo
  // on a caching store) is what the current store has, so a property it lacks reads as absent.
  const following = new Proxy({} as IpfsStore, {
    get: (_target, property: keyof IpfsStore) => {
      if (typeof current[property] !== "function") return current[property];
      return (...args: unknown[]) => (current[property] as (...a: unknown[]) => Promise<unknown>)(...args);
    },
  });

  beforeAll(async () => {
    [operator, contributor] = await Promise.all([startKubo(), startKubo()]);
    await connect(operator, contributor);
  });
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop()]);
  });

  it("says the apply failed, then a new /apply completes it with each entry once", async () => {
    const target = await createProject(operator.store);
    const patch = await proposeRename(contributor.store, target, "Survivor");
    const keyNames = (await operator.store.listKeys()).filter((k) => k.id === target.id).map((k) => k.name);
    const victim = operator;
    // Killed just before the roaming publish: the local stream already holds the entries.
    current = withFault(
      delegateStore(victim.store),
      { method: "publishName", nth: 1, when: (name) => keyNames.includes(name as string) },
      () => victim.kill("SIGKILL"),
    );
    const app = await apps.start(following, {
      config: configYaml(target.id),
      permissions: { maintainer: WRITER },
    });
    const issue = { number: 7, body: `Patch: ${patch.key}` };
    await app.deliver("issues", issueOpened(issue));
    await app.settle();
    const before = (await operatorView(victim.store, target.id)).eventIds.length;

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer", { id: 70 }), "apply-1");
    await app.settle();
    const failed = app.gh.botComments(7).at(-1);
    expect(parseMarker(failed?.body)).toMatchObject({ kind: "status", state: "failed", key: patch.key });
    expect(failed?.body).toContain("`KUBO_UNAVAILABLE`");
    // The journal shows the local stream went out: the status says so, never "nothing".
    expect(failed?.body).toContain("**Partly published:** the bot's event stream");
    expect(failed?.body).toContain("Comment `/apply` to finish");
    expect(failed?.body).not.toMatch(/nothing/i);
    expect(app.gh.sent("POST", "/issues/7/labels").map((r) => r.body)).toContainEqual({
      labels: ["nomad-patch: failed"],
    });

    operator = await victim.restart();
    await connect(operator, contributor);
    current = operator.store;
    // An edit of the old comment is no approval; a late redelivery of the first one is not handled twice.
    await app.deliver("issue_comment", commentEdited(issue, "/apply", "maintainer", 70), "edit-1");
    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer", { id: 70 }), "apply-1");
    await app.settle();
    expect(parseMarker(app.gh.botComments(7).at(-1)?.body)).toMatchObject({ state: "failed" });

    await app.deliver("issue_comment", commentCreated(issue, "/apply", "maintainer", { id: 71 }), "apply-2");
    await app.settle();
    expect(app.failures).toEqual([]);
    const applied = app.gh.botComments(7).at(-1);
    expect(parseMarker(applied?.body)).toMatchObject({ kind: "status", state: "applied", key: patch.key });
    const view = await operatorView(operator.store, target.id);
    expect(view.name).toBe("Survivor");
    expect(view.eventIds).toHaveLength(before + 1);
    expect(view.eventIds.filter((id) => id === "UpdateNameAsync")).toHaveLength(1);
    expect(applied?.body).toContain(`New roaming value:** \`${view.published}\``);
  });
});
