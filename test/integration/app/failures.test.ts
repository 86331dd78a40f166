import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { KuboStore } from "../../../src/ipfs/kubo-store.js";
import { parseMarker } from "../../../src/render/marker.js";
import { startKubo } from "../../helpers/kubo.js";
import { appPerTest } from "./harness.js";
import { configYaml } from "./nomad-data.js";
import { commentCreated, issueOpened } from "./payloads.js";

const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const KEY = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";

describe("the GitHub App when IPFS fails", () => {
  const apps = appPerTest();

  it("says on the issue that the bot's Kubo cannot be reached, and a /refresh that fails the same way writes nothing more", async () => {
    const store = new KuboStore({ apiUrl: `http://127.0.0.1:${await closedPort()}` });
    const app = await apps.start(store, { config: configYaml(TARGET) });
    const issue = { number: 40, body: `Patch: ${KEY}` };
    await app.deliver("issues", issueOpened(issue));
    await app.deliver("issue_comment", commentCreated(issue, "/refresh", "someone"));
    await app.settle();

    expect(app.failures).toEqual([]);
    const comments = app.gh.botComments(40);
    expect(comments).toHaveLength(1);
    expect(parseMarker(comments[0]?.body)).toMatchObject({
      kind: "review",
      key: KEY,
      cid: null,
      state: "failed",
    });
    expect(comments[0]?.body).toContain("IPFS node cannot be reached right now. `KUBO_UNAVAILABLE`");
    expect(comments[0]?.body).toContain("Nothing was applied. Comment `/refresh` to try again.");
    // Posted once the failure was known (no placeholder before); the refresh fails the same way and
    // changes nothing on the issue.
    expect(app.gh.sent("POST", "/issues/40/comments")).toHaveLength(1);
    expect(app.gh.sent("PATCH", `/issues/comments/${comments[0]?.id}`)).toHaveLength(0);
  });

  it("answers a key offered as a patch that resolves to nothing with a helpful failure", async () => {
    const node = await startKubo();
    try {
      const app = await apps.start(node.store, {
        config: configYaml(TARGET, "limits:\n  resolveTimeoutSeconds: 2"),
      });
      await app.deliver("issues", issueOpened({ number: 41, body: `Patch: ${KEY}` }));
      await app.settle();
      const [sticky] = app.gh.botComments(41);
      expect(parseMarker(sticky?.body)).toMatchObject({ kind: "review", state: "failed" });
      expect(sticky?.body).toMatch(/does not resolve|did not finish within/);
      expect(sticky?.body).toContain("/refresh");
    } finally {
      await node.stop();
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
