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
      .get("/repos/octo/docs")
      .reply(200, { full_name: "octo/docs", has_issues: true })
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

describe("propose --deliver checks what it can before publishing, and keeps the key when posting fails", () => {
  let pair: { operator: KuboNode; contributor: KuboNode; stop(): Promise<void> };
  let target: string;
  let entriesDir = "";
  beforeAll(async () => {
    pair = await startKuboPair();
    target = (await createStorageTarget(pair.operator, { name: "Checked", files: { "a.txt": "a\n" } })).id;
    entriesDir = await mkdtemp(join(tmpdir(), "nomad-patch-deliver-check-"));
    await writeFile(
      join(entriesDir, "entries.json"),
      JSON.stringify([
        {
          EventId: "CreateFolderInFolderEvent",
          Content: {
            eventId: "CreateFolderInFolderEvent",
            storableItemId: `${target}/c`,
            workingFolderId: target,
            storableItemName: "c",
            overwrite: false,
          },
        },
      ]),
    );
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await pair?.stop();
    await rm(entriesDir, { recursive: true, force: true });
  });

  const propose = (deliver: string, env: NodeJS.ProcessEnv, json = false) =>
    runCli(
      [
        "--kubo",
        pair.contributor.apiUrl,
        ...(json ? ["--json"] : []),
        "propose",
        "--target",
        target,
        "--title",
        "Make a folder",
        "--entries",
        "entries.json",
        "--deliver",
        deliver,
      ],
      { env, cwd: entriesDir },
    );
  const patchKeys = async () =>
    (await pair.contributor.store.listKeys()).filter((k) => k.name.startsWith("Nomad.PatchRequest.Roaming."));

  it("without GITHUB_TOKEN publishes nothing and exits 64", async () => {
    const run = await propose("octo/docs", {});
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("GITHUB_TOKEN");
    expect(run.stderr).toContain("nothing was published");
    expect(run.stdout).toBe("");
    expect(await patchKeys()).toEqual([]);
  });

  it("with a repository or issue GitHub does not know publishes nothing and exits 64", async () => {
    nock("https://api.github.com").get("/repos/octo/nothing").reply(404, { message: "Not Found" });
    const noRepo = await propose("octo/nothing", { GITHUB_TOKEN: "t0ken" });
    expect(noRepo.code).toBe(64);
    expect(noRepo.stderr).toContain("octo/nothing");
    expect(noRepo.stderr).toContain("nothing was published");

    nock("https://api.github.com")
      .get("/repos/octo/docs")
      .reply(200, { full_name: "octo/docs", has_issues: true })
      .get("/repos/octo/docs/issues/99")
      .reply(404, { message: "Not Found" });
    const noIssue = await propose("octo/docs#99", { GITHUB_TOKEN: "t0ken" });
    expect(noIssue.code).toBe(64);
    expect(noIssue.stderr).toContain("octo/docs#99");
    expect(await patchKeys()).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it("when GitHub cannot be reached, says so instead of an answer GitHub never gave, and publishes nothing", async () => {
    nock("https://api.github.com")
      .get("/repos/octo/docs")
      .replyWithError({ code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND api.github.com" });
    const run = await propose("octo/docs", { GITHUB_TOKEN: "t0ken" });
    expect(run.code).toBe(75);
    expect(run.stderr).toContain("Could not reach GitHub to check octo/docs");
    expect(run.stderr).toContain("ENOTFOUND");
    expect(run.stderr).not.toContain("GitHub answered");
    expect(run.stderr).toContain("nothing was published");
    expect(await patchKeys()).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it("when posting fails after publishing, prints the key and how to post it, exit 75", async () => {
    nock("https://api.github.com")
      .get("/repos/octo/docs")
      .reply(200, { full_name: "octo/docs", has_issues: true })
      .post("/repos/octo/docs/issues")
      .reply(502, { message: "Bad Gateway" });
    const run = await propose("octo/docs", { GITHUB_TOKEN: "t0ken" });
    expect(run.code).toBe(75);
    const [key] = (await patchKeys()).map((k) => k.id);
    expect(key).toBeDefined();
    expect(run.stdout.split("\n")[0]).toBe(key);
    expect(run.stdout).toContain(`Patch: \`${key}\``);
    expect(run.stderr).toContain("GitHub answered 502");
    expect(run.stderr).toContain("do not propose it again");

    nock("https://api.github.com")
      .get("/repos/octo/docs")
      .reply(200, { full_name: "octo/docs", has_issues: true })
      .post("/repos/octo/docs/issues")
      .reply(502, { message: "Bad Gateway" });
    const json = await propose("octo/docs", { GITHUB_TOKEN: "t0ken" }, true);
    expect(json.code).toBe(75);
    const out = jsonOf<{ key: string; delivered: unknown; deliveryError: { code: string; hint: string } }>(
      json,
    );
    expect(out.delivered).toBeNull();
    expect(out.deliveryError.code).toBe("DELIVERY");
    expect(out.deliveryError.hint).toContain(`Patch: \`${out.key}\``);
    expect(json.stderr).toBe("");
  });
});
