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
});
