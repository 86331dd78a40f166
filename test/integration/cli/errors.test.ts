import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { jsonOf, runCli } from "./run-cli.js";

/** A local web server that is not Kubo: answers every request with `status` and `body`. */
async function webServer(status: number, contentType: string, body: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": contentType });
    res.end(body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const close = (server: Server | undefined) =>
  new Promise<void>((done) => (server ? server.close(() => done()) : done()));

// Nothing listens on the discard port: a command that reached the node would exit 69.
const NO_KUBO = ["--kubo", "http://127.0.0.1:9"];
const KEY = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";

describe("--kubo at something that is not a Kubo RPC API", () => {
  let gateway: Server | undefined;
  let website: Server | undefined;
  beforeAll(async () => {
    // Kubo's gateway answers /api/v0/… with a plain 404; any other web server with its HTML page.
    gateway = await webServer(404, "text/plain; charset=utf-8", "404 page not found\n");
    website = await webServer(
      200,
      "text/html",
      `<!doctype html><html><body>${"x".repeat(5000)}</body></html>`,
    );
  });
  afterAll(async () => {
    await close(gateway);
    await close(website);
  });

  it("says so, suggests the gateway port, and exits 69", async () => {
    for (const server of [gateway, website]) {
      if (!server) throw new Error("server not started");
      const run = await runCli(["--kubo", urlOf(server), "status"]);
      expect(run.code).toBe(69);
      expect(run.stderr).toContain(`${urlOf(server)} is not a Kubo RPC API (the gateway port?)`);
      expect(run.stderr).not.toContain("<html>");
      expect(run.stderr.length).toBeLessThan(600);
      expect(run.stdout).toBe("");
    }
  });
});

describe("arguments are checked before any node is reached", () => {
  it("a malformed key is a usage error (64)", async () => {
    for (const argv of [
      ["show", "not-a-key"],
      ["apply", "not-a-key", "--yes"],
      ["export", "not-a-key", "/tmp/nowhere"],
      ["status", "not-a-key"],
      ["propose", "--target", "not-a-key", "--title", "t", "--set", "Name=x"],
    ]) {
      const run = await runCli([...NO_KUBO, ...argv]);
      expect({ argv, code: run.code }).toEqual({ argv, code: 64 });
      expect(run.stderr).toContain('"not-a-key"');
    }
  });

  it("a malformed target of inbox or watch is a usage error (64), with or without a rules file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-rules-"));
    try {
      const rules = join(dir, "nomad-patch.yml");
      await writeFile(rules, `targets:\n  - id: ${KEY}\n`);
      for (const argv of [
        ["inbox", "not-a-key"],
        ["inbox", KEY, "not-a-key"],
        ["watch", "not-a-key"],
        ["watch", "--config", rules, "not-a-key"],
      ]) {
        const run = await runCli([...NO_KUBO, ...argv]);
        expect({ argv, code: run.code, stderr: run.stderr }).toEqual({
          argv,
          code: 64,
          stderr: expect.stringContaining('Not an IPNS name: "not-a-key"'),
        });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an unknown --module is a usage error (64) naming the known ones, for init and pair receive too", async () => {
    for (const argv of [
      ["create", "--module", "folder", "--name", "Docs"],
      ["init", KEY, "--module", "folder"],
      ["pair", "receive", "--module", "folder", "--name", "Docs", "--code", "ab-cd"],
    ]) {
      const run = await runCli([...NO_KUBO, ...argv]);
      expect({ argv, code: run.code }).toEqual({ argv, code: 64 });
      expect(run.stderr).toContain('Unknown Nomad module "folder"; known: storage, wac-project');
      // Usage is answered before anything else is said (pair receive's weak-code warning included).
      expect(run.stderr).not.toContain("warning");
    }
  });

  it("inbox --count without --listen is a usage error (64), not silently ignored", async () => {
    const run = await runCli([...NO_KUBO, "inbox", "--count", "5"]);
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("--count goes with --listen");
  });

  it("--expect and --expect-result must be CIDs (64)", async () => {
    for (const option of ["--expect", "--expect-result"]) {
      const run = await runCli([...NO_KUBO, "apply", KEY, option, "not-a-cid", "--yes"]);
      expect(run.code).toBe(64);
      expect(run.stderr).toContain(`${option} takes a CID`);
    }
  });
});

describe("--json errors", () => {
  it("are one JSON object on stdout with code, exit code, message and hint", async () => {
    const down = await runCli([...NO_KUBO, "--json", "status"]);
    expect(down.code).toBe(69);
    expect(down.stderr).toBe("");
    expect(jsonOf(down)).toEqual({
      error: {
        code: "KUBO_UNAVAILABLE",
        exitCode: 69,
        message: "No Kubo daemon answers at http://127.0.0.1:9",
        hint: "start one (`ipfs daemon`), or point KUBO_API_URL / --kubo at a running node",
      },
    });
  });

  it("cover commander's own usage errors too", async () => {
    const run = await runCli(["--json", "show"]);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe("");
    expect(jsonOf(run)).toEqual({
      error: {
        code: "USAGE",
        exitCode: 64,
        message: "error: missing required argument 'key'",
        hint: "run `nomad-patch show --help` for usage",
      },
    });
  });

  it("leave the text form alone without --json: message, then the hint", async () => {
    const down = await runCli([...NO_KUBO, "status"]);
    expect(down.stdout).toBe("");
    expect(down.stderr).toBe(
      "nomad-patch: No Kubo daemon answers at http://127.0.0.1:9\n  start one (`ipfs daemon`), or point KUBO_API_URL / --kubo at a running node\n",
    );
  });
});

describe("export of an object that was created but never published, or that nothing publishes", () => {
  let node: KuboNode | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    node = await startKubo();
    dir = await mkdtemp(join(tmpdir(), "nomad-patch-export-"));
  });
  afterAll(async () => {
    await node?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("says it does not resolve, exits 66, and writes nothing", async () => {
    if (!node || !dir) throw new Error("not started");
    // The keys exist on this node (a folder being set up), but nothing was ever published under them.
    const roaming = await node.store.generateKey("Nomad.Kubo.Storage.Roaming.Unpublished");
    await node.store.generateKey("Nomad.Kubo.Storage.Local.Unpublished");
    const out = join(dir, "out");
    const run = await runCli(["--kubo", node.apiUrl, "export", roaming.id, out]);
    expect(run.stderr).toContain(`${roaming.id} does not resolve`);
    expect(run.stderr).not.toContain("not a Storage folder");
    expect(run.code).toBe(66);
    expect(await readdir(dir)).toEqual([]);
  });

  it("export and propose of a key nothing publishes (a wrong key, its nodes offline) say what was tried and what to do, exit 66, and write nothing", async () => {
    if (!node || !dir) throw new Error("not started");
    const keysBefore = (await node.store.listKeys()).map((key) => key.name).sort();
    const folder = join(dir, "edited");
    const out = join(dir, "exported");
    await mkdir(folder);
    await writeFile(join(folder, "hello.txt"), "hello\n");
    const runs = [
      await runCli(["--kubo", node.apiUrl, "export", KEY, out]),
      await runCli([
        "--kubo",
        node.apiUrl,
        "propose",
        "--target",
        KEY,
        "--from-folder",
        folder,
        "--title",
        "Hi",
      ]),
      await runCli(["--kubo", node.apiUrl, "propose", "--target", KEY, "--title", "Hi", "--set", "Name=x"]),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(66);
      expect(run.stdout).toBe("");
      const [message, hint] = run.stderr.split("\n");
      // What was tried: this node looked the name up, on its own and with its peers, and knows no device of it.
      expect(message).toBe(
        `nomad-patch: The roaming key ${KEY} does not resolve: this node found no IPNS record for it, on its own or from its peers, and knows none of its devices`,
      );
      // What to do: check the key, then reach a node that publishes it.
      expect(hint).toContain("check the key");
      expect(hint).toContain("`nomad-patch status`");
      expect(hint).toContain("ipfs swarm connect");
    }
    const { stderr: json } = await runCli(["--kubo", node.apiUrl, "--json", "export", KEY, out]);
    expect(json).toBe("");
    expect(await readdir(dir)).toEqual(["edited"]);
    expect((await node.store.listKeys()).map((key) => key.name).sort()).toEqual(keysBefore);
  });
});

describe("pair send on a node whose repository is not on this machine (no IPFS_PATH beside --kubo)", () => {
  let node: KuboNode | undefined;
  beforeAll(async () => {
    node = await startKubo();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("says how to reach the repository, exits 64, and prints no code for the other device to wait on", async () => {
    if (!node) throw new Error("not started");
    const created = await runCli([
      "--kubo",
      node.apiUrl,
      "--json",
      "create",
      "--module",
      "storage",
      "--name",
      "Away",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { target } = JSON.parse(created.stdout) as { target: string };
    const run = await runCli(["--kubo", node.apiUrl, "pair", "send", target, "--timeout", "5"]);
    expect(run.stderr).toContain("cannot export key Nomad.Kubo.Storage.Roaming.Away");
    expect(run.stderr).toMatch(/\n {2}.*IPFS_PATH/);
    expect(run.stderr).not.toContain("Pair code:");
    expect(run.stderr).not.toContain("On the new device, run:");
    expect(run.code).toBe(64);
  });
});
