import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openKubo } from "../../../src/ipfs/open-kubo.js";
import type { NodeStatus } from "../../../src/service/node-status.js";
import { createStorageTarget } from "../../helpers/nomad-builders/index.js";
import { jsonOf, runCli } from "./run-cli.js";

describe("without --kubo or KUBO_API_URL", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-managed-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts a managed Kubo in the data directory, stops it, and finds the same node next time", async () => {
    const env = { NOMAD_PATCH_KUBO_SWARM_PORT: "0" };
    const first = await runCli(["--json", "--verbose", "--data-dir", dataDir, "status"], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("started a managed Kubo");
    expect(first.stderr).toContain("managed Kubo stopped");
    // A data directory without a node (a first run, or the bot's NOMAD_PATCH_DATA_DIR forgotten) says so.
    expect(first.stderr).toContain(
      `nomad-patch: started a new node for this command, repository ${join(dataDir, "kubo")} (the data directory ${dataDir} had none)\n  to use another node (the bot's), give its --data-dir or NOMAD_PATCH_DATA_DIR, or --kubo\n`,
    );
    const second = await runCli(["--json", "--data-dir", dataDir, "status"], { env });
    expect(second.stderr).toBe("");
    expect(jsonOf<NodeStatus>(second).peerId).toBe(jsonOf<NodeStatus>(first).peerId);
    // The text names the node, so an operator sees which one answered.
    const text = await runCli(["--data-dir", dataDir, "status"], { env });
    expect(text.stderr).toBe("");
    expect(text.stdout.split("\n")[0]).toBe(
      `Node ${jsonOf<NodeStatus>(first).peerId} (a node started for this command, repository ${join(dataDir, "kubo")})`,
    );
  });

  it("uses the data directory's node while another process (the app) runs it, and that node has pubsub", async () => {
    const env = { NOMAD_PATCH_KUBO_SWARM_PORT: "0" };
    const app = await openKubo({ dataDir, swarmPort: 0 });
    try {
      // Pairing needs pubsub: subscribing fails at once on a node that has it off.
      const subscription = await app.store.pubsubSubscribe("nomad-patch-managed", () => {});
      await subscription.close();
      const { peerId } = await app.store.id();
      const run = await runCli(["--json", "--verbose", "--data-dir", dataDir, "status"], { env });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("using the data directory's running Kubo");
      expect(jsonOf<NodeStatus>(run).peerId).toBe(peerId);
      const text = await runCli(["--data-dir", dataDir, "status"], { env });
      expect(text.stdout.split("\n")[0]).toBe(
        `Node ${peerId} (the running node of the data directory, repository ${join(dataDir, "kubo")})`,
      );
      const apiUrl = app.store.apiUrl;
      const named = await runCli(["--kubo", apiUrl, "status"], { env });
      expect(named.stdout.split("\n")[0]).toBe(`Node ${peerId} (the Kubo at ${apiUrl})`);
    } finally {
      await app.close();
    }
  });

  it("warns at propose time that the node stops, and how to keep the patch online", async () => {
    // A folder on the same managed node (its repository in the data directory), then a patch to it.
    const managed = await openKubo({ dataDir, swarmPort: 0 });
    const target = await createStorageTarget(managed, { name: "Managed", files: { "a.txt": "a\n" } }).finally(
      () => managed.close(),
    );
    await writeFile(
      join(dataDir, "entries.json"),
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
    const env = { NOMAD_PATCH_KUBO_SWARM_PORT: "0", NOMAD_PATCH_RESOLVE_TIMEOUT_SECONDS: "2" };
    const argv = [
      "--data-dir",
      dataDir,
      "propose",
      "--target",
      target.id,
      "--title",
      "t",
      "--entries",
      "entries.json",
    ];
    const run = await runCli(argv, { env, cwd: dataDir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("nomad-patch: warning: this patch was published from the managed node");
    expect(run.stderr).toContain(`IPFS_PATH=${join(dataDir, "kubo")} `);
    expect(run.stderr).toContain(" daemon`");
    const json = await runCli(["--json", ...argv], { env, cwd: dataDir });
    expect(json.code).toBe(0);
    expect(jsonOf<{ warnings: string[] }>(json).warnings).toEqual([
      expect.stringContaining("published from the managed node"),
    ]);
  });

  it("names a data directory this user cannot have (a path through a file here; elsewhere /srv without root) and its setting, exit 64, not a bug", async () => {
    const file = join(dataDir, "not-a-directory");
    await writeFile(file, "");
    const unusable = join(file, "data");
    const run = await runCli(["--data-dir", unusable, "status"], {
      env: { NOMAD_PATCH_KUBO_SWARM_PORT: "0" },
    });
    expect(run.code).toBe(64);
    expect(run.stderr).toContain(`nomad-patch: The data directory ${unusable} cannot be used by this user (`);
    expect(run.stderr).toContain(
      "set --data-dir (or NOMAD_PATCH_DATA_DIR) to a directory this user may write",
    );
    expect(run.stderr).not.toMatch(/bug|\n\s+at /);
  });

  it("names a busy swarm port and its setting, also when only TCP is taken, and starts nothing", async () => {
    const { createServer } = await import("node:net");
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "0.0.0.0", done));
    const { port } = server.address() as { port: number };
    try {
      const run = await runCli(["--data-dir", dataDir, "status"], {
        env: { NOMAD_PATCH_KUBO_SWARM_PORT: String(port) },
      });
      expect(run.code).toBe(69);
      expect(run.stderr).toContain(`swarm port ${port} is already in use (TCP)`);
      expect(run.stderr).toContain("NOMAD_PATCH_KUBO_SWARM_PORT");
      // The command line's own way to a running node, beside the environment's.
      expect(run.stderr).toContain(
        "or pass --kubo (or set KUBO_API_URL) with the RPC address of the node that holds it",
      );
      expect(run.stderr.split("\n").length).toBeLessThan(5);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});
