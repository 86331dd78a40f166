import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DeliveryError, deliverToGitHub, parseDeliveryTarget } from "../../../src/service/deliver-github.js";

const key = "k51qzi5uqu5dh6rtvuvyr9x7jhiwku7m4o1mbp28ibo3t27wr8couy0sz47lep";
const targetId = "k51qzi5uqu5dh0b977vhvmrl8f8xivun0fojxria3arhf8dnmf6ekbjvq60dap";
const input = {
  key,
  title: "Rename the app",
  description: "The new name is shorter.",
  summary: ["UpdateNameAsync on the project"],
};

describe("delivering a patch request key on GitHub", () => {
  beforeAll(() => nock.disableNetConnect());
  // The worker runs other files after this one (no per-file isolation): leave its network as found.
  afterAll(() => nock.enableNetConnect());
  afterEach(() => {
    expect(nock.isDone()).toBe(true);
    nock.cleanAll();
  });

  it("opens an issue titled like the patch, with the key on a line of its own", async () => {
    let body: { title?: string; body?: string } = {};
    nock("https://api.github.com", { reqheaders: { authorization: "token t0ken" } })
      .post("/repos/octo/app/issues", (b) => {
        body = b;
        return true;
      })
      .reply(201, { number: 7, html_url: "https://github.com/octo/app/issues/7" });
    const delivered = await deliverToGitHub(
      { token: "t0ken" },
      { ...input, to: parseDeliveryTarget("octo/app") },
    );
    expect(delivered).toEqual({ kind: "issue", issue: 7, url: "https://github.com/octo/app/issues/7" });
    expect(body.title).toBe("Rename the app");
    expect(body.body?.split("\n")).toContain(`Patch: \`${key}\``);
    expect(body.body).toContain("The new name is shorter.");
    expect(body.body).not.toContain(targetId);
    expect(body.body).toContain("- UpdateNameAsync on the project");
  });

  it("comments on an existing issue", async () => {
    nock("https://api.github.com")
      .post("/repos/octo/app/issues/12/comments", (b: { body: string }) => b.body.includes(key))
      .reply(201, { id: 1, html_url: "https://github.com/octo/app/issues/12#issuecomment-1" });
    const delivered = await deliverToGitHub(
      { token: "t" },
      { ...input, to: parseDeliveryTarget("octo/app#12") },
    );
    expect(delivered).toMatchObject({ kind: "comment", issue: 12 });
  });

  it("says GitHub refused, and that the key can be posted by hand (exit 75)", async () => {
    nock("https://api.github.com").post("/repos/octo/app/issues").reply(403, { message: "Forbidden" });
    const failure = deliverToGitHub({ token: "t" }, { ...input, to: parseDeliveryTarget("octo/app") });
    await expect(failure).rejects.toBeInstanceOf(DeliveryError);
    await expect(failure).rejects.toMatchObject({ exitCode: 75 });
    await expect(failure).rejects.toThrow(
      /published, but posting it on octo\/app failed \(GitHub answered 403\)/,
    );
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining(`Patch: \`${key}\``) });
  });

  it("needs a token and a well-formed repository", async () => {
    await expect(
      deliverToGitHub({ token: undefined }, { ...input, to: { owner: "o", repo: "r" } }),
    ).rejects.toThrow(/GITHUB_TOKEN/);
    expect(() => parseDeliveryTarget("octo")).toThrow(/owner\/repo/);
    expect(() => parseDeliveryTarget("octo/app#x")).toThrow(/owner\/repo/);
  });
});
