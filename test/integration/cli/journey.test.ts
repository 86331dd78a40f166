import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPairCode, generatePairCode } from "../../../src/nomad/pairing/pair-code.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { startPubsubNodes } from "../pair/pair-room.js";
import { BUILD_CLI_HOOK_TIMEOUT_MS, type BuiltCli, buildCli } from "./built-cli.js";

/**
 * The operator's journey of docs/operator-guide.md and docs/cli.md, by its commands alone, in the guide's
 * order, with the built binary against local Kubo daemons: create a folder on the laptop, pair the bot's node,
 * check it with `status`, a contributor exports and proposes, the bot shows and applies it, and the laptop
 * sees the change. The outputs the guide quotes are checked at each step.
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
  }, BUILD_CLI_HOOK_TIMEOUT_MS);
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

    // 1. The object (docs/operator-guide.md): its output names the target and the next step.
    const created = await onLaptop(["create", "--module", "storage", "--name", "Docs"]);
    expect(created.code, created.stderr).toBe(0);
    const target = /^Created (k51\w+) \(storage\):$/m.exec(created.stdout)?.[1] ?? "";
    expect(target).toMatch(/^k51/);
    expect(created.stdout).toContain("roaming key  Nomad.Kubo.Storage.Roaming.Docs  value bafy");
    expect(created.stdout).toContain("local key    Nomad.Kubo.Storage.Local.Docs  k51");
    expect(created.stdout).toContain(
      `Next: pair the bot's node (or another device) with it:\n  nomad-patch pair send ${target}`,
    );

    // Each side names the other, as the guide shows: the bot's peer id to `pair send --peer`, and the
    // `--from`/`--target` that `pair send` prints to `pair receive`.
    const code = formatPairCode(generatePairCode());
    const [laptopPeer, botPeer] = await Promise.all([laptop.store.id(), bot.store.id()]).then((ids) =>
      ids.map((i) => i.peerId),
    );
    const [sent, received] = await Promise.all([
      onLaptop(["pair", "send", target, "--peer", botPeer!, "--code", code, "--timeout", "60"]),
      onBot([
        ...["pair", "receive", "--module", "storage", "--name", "Docs", "--from", laptopPeer!],
        ...["--target", target, "--code", code, "--timeout", "60"],
      ]),
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain(
      `nomad-patch pair receive --module storage --name Docs --from ${laptopPeer} --target ${target} --code ${code}`,
    );
    expect(sent.stderr).toContain(`Only peer ${botPeer} is taken.`);
    expect(received.stderr).toContain(`This node is peer ${botPeer}`);
    expect(sent.stdout).toContain("is now a source");
    expect(received.code, received.stderr).toBe(0);
    expect(received.stdout).toContain(`This node is now a device of ${target} (storage)`);
    expect(received.stderr).not.toContain("warning");
    const botLocal = /local key {4}Nomad\.Kubo\.Storage\.Local\.Docs (k51\w+)/.exec(received.stdout)?.[1];
    expect(botLocal).toMatch(/^k51/);
    expect(sent.stdout).toContain(`Its local key ${botLocal} is now a source: SourceAdd entry bafy`);

    // "Check it on the bot's machine": the bot can modify the target with its own local key.
    const status = await onBot(["status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(
      `Can modify (roaming and local key):\n  ${target}  Nomad.Kubo.Storage.Roaming.Docs  local ${botLocal}`,
    );

    const work = join(cli.dir, "work");
    const exported = await nomadPatch(contributor, ["export", target, work]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain(`Exported 0 files and 0 folders (0 bytes) of ${target} to ${work}`);
    await writeFile(join(work, "hello.txt"), "hello from a contributor\n");
    const proposed = await nomadPatch(
      contributor,
      ["propose", "--from-folder", work, "--title", "Say hello"],
      {},
    );
    expect(proposed.code, proposed.stderr).toBe(0);
    const key = proposed.stdout.split("\n")[0]!;
    expect(proposed.stdout).toContain(`Patch request "Say hello" published\n  target:  ${target} (storage)`);
    expect(proposed.stdout).toContain("  entries: 2\n    added file hello.txt");

    // 6. Review and apply on the bot's machine, bound to what the review showed.
    const shown = await onBot(["show", key]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("Patch request: Say hello\nStatus:   READY TO APPLY");
    const [, cid, result] =
      /To apply exactly this: nomad-patch apply \S+ --expect (\S+) --expect-result (\S+)/.exec(
        shown.stdout,
      ) ?? [];
    expect(shown.stdout).toContain(`To apply exactly this: nomad-patch apply ${key} --expect ${cid}`);

    const unattended = await onBot(["apply", key]);
    expect(unattended.code).toBe(64);
    expect(unattended.stderr).toContain("pass --yes");

    const applied = await onBot(["apply", key, "--yes"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`Applied patch ${cid} (key ${key})`);
    expect(applied.stdout).toContain(`Roaming value: ${result}  (the predicted result)`);

    const seen = join(cli.dir, "seen");
    const onLaptopNow = await onLaptop(["export", target, seen]);
    expect(onLaptopNow.code, onLaptopNow.stderr).toBe(0);
    expect(await readFile(join(seen, "hello.txt"), "utf8")).toBe("hello from a contributor\n");
    // Seven processes, each loading the CLI: more than the default bound on a busy machine.
  }, 240_000);
});
