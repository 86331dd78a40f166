import { type ChildProcess, spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multiaddrToUrl } from "../../../src/ipfs/kubo-daemon.js";
import { startKubo } from "../../helpers/kubo.js";
import { runCli } from "./run-cli.js";

// `ipfs daemon --offline` answers `id` with "Addresses": null: a node an operator runs to try things locally.
describe("a Kubo daemon started with --offline", () => {
  let daemon: ChildProcess | undefined;
  let repoPath = "";
  let apiUrl = "";
  beforeAll(async () => {
    // A repository set up as every test node's, then run offline.
    const node = await startKubo();
    repoPath = node.repoPath;
    await node.kill("SIGTERM");
    const started = spawn(node.binary, ["daemon", "--offline", "--migrate=false"], {
      env: { ...process.env, IPFS_PATH: repoPath },
      stdio: ["ignore", "pipe", "pipe"],
    });
    daemon = started;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      started.stdout?.on("data", (chunk) => {
        output += chunk;
        if (output.includes("Daemon is ready")) resolve();
      });
      started.once("exit", (code) => reject(new Error(`ipfs daemon --offline exited (${code}): ${output}`)));
    });
    apiUrl = multiaddrToUrl((await readFile(join(repoPath, "api"), "utf8")).trim());
  });
  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon?.once("exit", resolve));
      daemon.kill("SIGTERM");
      await exited;
    }
    if (repoPath) await rm(repoPath, { recursive: true, force: true });
  });

  it("is taken for the Kubo it is, not for 'not a Kubo RPC API'", async () => {
    const run = await runCli(["--kubo", apiUrl, "--data-dir", join(repoPath, "data"), "status"]);
    expect(run.stderr).not.toContain("is not a Kubo RPC API");
    expect(run.code, run.stderr).toBe(0);
  });

  // Any node would do: this one holds no key of the object, as a contributor's node holds none of the owner's.
  it("refuses to write to an object it holds no keys of as read-only (5), saying how to become its device", async () => {
    const target = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
    const run = await runCli(
      ["--kubo", apiUrl, "--data-dir", join(repoPath, "data"), "pair", "send", target],
      {
        env: { IPFS_PATH: repoPath },
      },
    );
    expect(run.code, run.stderr).toBe(5);
    expect(run.stderr).toContain(
      `This node does not hold the roaming key ${target}, so it cannot write to it`,
    );
    expect(run.stderr).toContain(`nomad-patch init ${target}`);
    expect(run.stderr).not.toContain("Pair code");
  });
});
