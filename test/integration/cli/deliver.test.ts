import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePatchRequest } from "../../../src/patch-request/patch-request-record.js";
import { type KuboNode, startKuboPair } from "../../helpers/kubo.js";
import { createStorageTarget } from "../../helpers/nomad-builders/index.js";
import { jsonOf, runCli } from "./run-cli.js";

describe("propose --entries --deliver: raw entries, and the key posted on GitHub", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let work: string;
  beforeAll(async () => {
    pair = await startKuboPair();
    work = await mkdtemp(join(tmpdir(), "nomad-patch-deliver-"));
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await pair?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("publishes the raw entries as a patch request and opens an issue holding its key", async () => {
    const target = await createStorageTarget(pair.operator, { name: "Raw", files: { "a.txt": "a\n" } });
    await writeFile(
      join(work, "entries.json"),
      JSON.stringify([
        {
          EventId: "CreateFolderInFolderEvent",
          Content: {
            eventId: "CreateFolderInFolderEvent",
            storableItemId: `${target.id}/b`,
            workingFolderId: target.id,
            storableItemName: "b",
            overwrite: false,
          },
        },
      ]),
    );
    let posted = "";
    const github = nock("https://api.github.com")
      .post("/repos/octo/docs/issues", (body: { title: string; body: string }) => {
        posted = body.body;
        return body.title === "Add folder b";
      })
      .reply(201, { number: 3, html_url: "https://github.com/octo/docs/issues/3" });

    const run = await runCli(
      [
        "--kubo",
        pair.contributor.apiUrl,
        "--json",
        "propose",
        "--target",
        target.id,
        "--title",
        "Add folder b",
        "--description",
        "An empty folder for later",
        "--entries",
        "entries.json",
        "--deliver",
        "octo/docs",
      ],
      { env: { GITHUB_TOKEN: "t0ken" }, cwd: work },
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = jsonOf<{ key: string; cid: string; delivered: unknown }>(run);
    expect(github.isDone()).toBe(true);
    expect(out.delivered).toEqual({ kind: "issue", issue: 3, url: "https://github.com/octo/docs/issues/3" });
    expect(posted.split("\n")).toContain(`Patch: \`${out.key}\``);
    expect(posted).toContain("An empty folder for later");

    const record = decodePatchRequest(await pair.operator.store.dagGet(CID.parse(out.cid)), out.cid);
    expect(record).toMatchObject({ target: target.id, title: "Add folder b" });
    expect(record.entries).toHaveLength(1);
  });
});
