import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPairCode, generatePairCode } from "../../../src/nomad/pairing/pair-code.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { startPubsubNodes } from "../pair/pair-room.js";
import { type BuiltCli, buildCli } from "./built-cli.js";

/**
 * The operator's journey of docs/cli.md, by its commands alone, with the built binary against local Kubo
 * daemons: create a folder on the laptop, pair the bot's node, a contributor proposes, the bot applies, and
 * the laptop sees the change.
 */
describe("the operator's journey with nomad-patch alone", () => {
  let laptop: KuboNode;
  let bot: KuboNode;
  let contributor: KuboNode;

  let cli: BuiltCli;
  const nomadPatch = (node: KuboNode, argv: string[], env: NodeJS.ProcessEnv = {}) =>
    cli.run(["--kubo", node.apiUrl, ...argv], { KUBO_BIN: node.binary, ...env });

  beforeAll(async () => {
    [cli, [laptop, bot, contributor]] = await Promise.all([buildCli(), startPubsubNodes()]);
  });
  afterAll(async () => {
    await Promise.all([laptop?.stop(), bot?.stop(), contributor?.stop()]);
    await cli?.dispose();
  });

  it("create → pair the bot → a patch is proposed → the bot applies it → the laptop sees it", async () => {
    const laptopDir = join(cli.dir, "laptop");
    const botDir = join(cli.dir, "bot");
    // The laptop runs its own Kubo: IPFS_PATH lets `pair send` export the roaming key from its repository.
    const onLaptop = (argv: string[]) =>
      nomadPatch(laptop, ["--data-dir", laptopDir, ...argv], { IPFS_PATH: laptop.repoPath });
    const onBot = (argv: string[]) => nomadPatch(bot, ["--data-dir", botDir, ...argv]);

    const created = await onLaptop(["--json", "create", "--module", "storage", "--name", "Docs"]);
    expect(created.code, created.stderr).toBe(0);
    const target = JSON.parse(created.stdout).target as string;

    const code = formatPairCode(generatePairCode());
    const [sent, received] = await Promise.all([
      onLaptop(["pair", "send", target, "--code", code, "--timeout", "60"]),
      onBot(["pair", "receive", "--module", "storage", "--name", "Docs", "--code", code, "--timeout", "60"]),
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain(`nomad-patch pair receive --module storage --name Docs --code ${code}`);
    expect(sent.stdout).toContain("is now a source");
    expect(received.code, received.stderr).toBe(0);
    expect(received.stdout).toContain(`This node is now a device of ${target} (storage)`);
    expect(received.stderr).not.toContain("warning");

    const work = join(cli.dir, "work");
    const exported = await nomadPatch(contributor, ["export", target, work]);
    expect(exported.code, exported.stderr).toBe(0);
    await writeFile(join(work, "hello.txt"), "hello from a contributor\n");
    const proposed = await nomadPatch(
      contributor,
      ["propose", "--from-folder", work, "--title", "Say hello"],
      {},
    );
    expect(proposed.code, proposed.stderr).toBe(0);
    const key = proposed.stdout.split("\n")[0]!;

    const applied = await onBot(["apply", key, "--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Applied patch");

    const seen = join(cli.dir, "seen");
    const onLaptopNow = await onLaptop(["export", target, seen]);
    expect(onLaptopNow.code, onLaptopNow.stderr).toBe(0);
    expect(await readFile(join(seen, "hello.txt"), "utf8")).toBe("hello from a contributor\n");
    // Seven processes, each loading the CLI: more than the default bound on a busy machine.
  }, 240_000);
});
