import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPairCode, generatePairCode } from "../../../src/nomad/pairing/pair-code.js";
import { parseMarker } from "../../../src/render/marker.js";
import type { KuboNode } from "../../helpers/kubo.js";
import { startApp } from "../app/harness.js";
import { issueLabeled, issueOpened, REPO } from "../app/payloads.js";
import { orderAsRepository, resolveEventStreamEntries } from "../csharp/csharp-reader.js";
import { dagGetJsonAsCSharpDoes } from "../nomad/kubo-http.js";
import { startPubsubNodes } from "../pair/pair-room.js";
import { BUILD_CLI_HOOK_TIMEOUT_MS, type BuiltCli, buildCli } from "./built-cli.js";
import { runCli } from "./run-cli.js";

/**
 * The operator's journey of docs/operator-guide.md and docs/cli.md, by its commands alone, in the guide's
 * order, with the built binary against local Kubo daemons: create a folder on the laptop, pair the bot's node,
 * check it with `status`, a contributor exports and proposes, the bot shows and applies it, and the laptop
 * sees the change. The outputs the guide quotes are checked at each step. Then steps 4 to 7 through the
 * GitHub App (GitHub faked, as in test/integration/app): the guide's `.github/nomad-patch.yml`, the issue
 * `propose --deliver` opens, the approve label, and the laptop reading the result as a C# device does.
 */
const LINK = '{"Id":"link-1","Url":"https://example.com","Name":"Website","Description":"Homepage"}';

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

  const laptopDir = () => join(cli.dir, "laptop");
  const botDir = () => join(cli.dir, "bot");
  // The laptop runs its own Kubo: IPFS_PATH lets `pair send` export the roaming key from its repository.
  const onLaptop = (argv: string[]) =>
    nomadPatch(laptop, ["--data-dir", laptopDir(), ...argv], { IPFS_PATH: laptop.repoPath });
  const onBot = (argv: string[]) => nomadPatch(bot, ["--data-dir", botDir(), ...argv]);

  /**
   * Step 3 of the guide: `pair send` on the laptop, `pair receive` on the bot's machine, each naming the other
   * (the bot's peer id to `--peer`, the `--from`/`--target` that `pair send` prints). Returns the bot's new
   * local key.
   */
  async function pairWithBot(target: string, module: string, name: string, prefix: string): Promise<string> {
    const code = formatPairCode(generatePairCode());
    const [laptopPeer, botPeer] = await Promise.all([laptop.store.id(), bot.store.id()]).then((ids) =>
      ids.map((i) => i.peerId),
    );
    const [sent, received] = await Promise.all([
      onLaptop(["pair", "send", target, "--peer", botPeer!, "--code", code, "--timeout", "60"]),
      onBot([
        ...["pair", "receive", "--module", module, "--name", name, "--from", laptopPeer!],
        ...["--target", target, "--code", code, "--timeout", "60"],
      ]),
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stderr).toContain(
      `nomad-patch pair receive --module ${module} --name ${name} --from ${laptopPeer} --target ${target} --code ${code}`,
    );
    expect(sent.stderr).toContain(`Only peer ${botPeer} is taken.`);
    expect(received.stderr).toContain(`This node is peer ${botPeer}`);
    expect(received.code, received.stderr).toBe(0);
    expect(received.stdout).toContain(`This node is now a device of ${target} (${module})`);
    expect(received.stdout).toContain(`roaming key  ${prefix}.Roaming.${name} (imported)`);
    expect(received.stderr).not.toContain("warning");
    const localLine = `  local key    ${prefix}.Local.${name} `;
    const botLocal = received.stdout
      .split("\n")
      .find((line) => line.startsWith(localLine))
      ?.slice(localLine.length);
    expect(botLocal).toMatch(/^k51/);
    expect(sent.stdout).toContain(`Sent ${target} (${prefix}.Roaming.${name}) to a new device.`);
    expect(sent.stdout).toContain(`Its local key ${botLocal} is now a source: SourceAdd entry bafy`);
    return botLocal!;
  }

  it("create → pair the bot → a patch is proposed → the bot applies it → the laptop sees it", async () => {
    // 1. The object (docs/operator-guide.md): its output names the target and the next step.
    const created = await onLaptop(["create", "--module", "storage", "--name", "Docs"]);
    expect(created.code, created.stderr).toBe(0);
    const target = /^Created (k51\w+) \(storage\):$/m.exec(created.stdout)?.[1] ?? "";
    expect(target).toMatch(/^k51/);
    expect(created.stdout).toContain("roaming key  Nomad.Kubo.Storage.Roaming.Docs  value bafy");
    expect(created.stdout).toContain("local key    Nomad.Kubo.Storage.Local.Docs  k51");
    expect(created.stdout).toContain(
      // The next command reaches the same node as printed: the options that chose it come along.
      `Next: pair the bot's node (or another device) with it:\n  nomad-patch --kubo ${laptop.apiUrl} --data-dir ${laptopDir()} pair send ${target}`,
    );

    const botLocal = await pairWithBot(target, "storage", "Docs", "Nomad.Kubo.Storage");

    // "Check it on the bot's machine": the bot can modify the target with its own local key.
    const status = await onBot(["status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(
      `Can modify (roaming and local key):\n  ${target}  Nomad.Kubo.Storage.Roaming.Docs  local ${botLocal}`,
    );

    const work = join(cli.dir, "work");
    const exported = await nomadPatch(contributor, ["export", target, work]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(
      `Exported 0 files and 0 folders (0 bytes) of ${target} to ${work}\n` +
        `Edit it, then: nomad-patch --kubo ${contributor.apiUrl} propose --from-folder ${work} --title "…"\n`,
    );
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
    expect(proposed.stdout).toMatch(
      /\nPost the key on the target's issue tracker \(or use --deliver owner\/repo\)\. Keep this node online until it is applied\.\n$/,
    );

    // 6. Review and apply on the bot's machine, bound to what the review showed.
    const shown = await onBot(["show", key]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain("Patch request: Say hello\nStatus:   READY TO APPLY");
    const [, cid, result] =
      /To apply exactly this: nomad-patch .*apply \S+ --expect (\S+) --expect-result (\S+)/.exec(
        shown.stdout,
      ) ?? [];
    // Copied as printed, the apply reaches the node the review was read on.
    expect(shown.stdout).toContain(
      `To apply exactly this: nomad-patch --kubo ${bot.apiUrl} --data-dir ${botDir()} apply ${key} --expect ${cid}`,
    );

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
    expect(onLaptopNow.stdout).toContain(
      `Exported 1 file and 0 folders (25 bytes) of ${target} to ${seen}\n`,
    );
    expect(await readFile(join(seen, "hello.txt"), "utf8")).toBe("hello from a contributor\n");
    // Seven processes, each loading the CLI: more than the default bound on a busy machine.
  }, 240_000);

  it("steps 4 to 7 through the GitHub App: the guide's configuration, the delivered issue, the approve label, read back as C# reads", async () => {
    const created = await onLaptop(["create", "--module", "wac-project", "--name", "MyApp"]);
    expect(created.code, created.stderr).toBe(0);
    const target = /^Created (k51\w+) \(wac-project\):$/m.exec(created.stdout)?.[1] ?? "";
    const laptopLocal = /local key {4}WindowsAppCommunity\.Sdk\.Project\.Local\.MyApp {2}(k51\w+)/.exec(
      created.stdout,
    )?.[1];
    expect(laptopLocal).toMatch(/^k51/);
    const site = await onLaptop(["create", "--module", "storage", "--name", "Site"]);
    const folder = /^Created (k51\w+) \(storage\):$/m.exec(site.stdout)?.[1] ?? "";
    expect(folder).toMatch(/^k51/);

    const botLocal = await pairWithBot(target, "wac-project", "MyApp", "WindowsAppCommunity.Sdk.Project");
    // The laptop goes on writing as a device of its own: what it writes after the pairing is its data, which
    // the bot's apply must keep for every reader.
    const own = await onLaptop([
      "propose",
      "--target",
      target,
      "--title",
      "Describe it",
      "--set",
      "Description=An app",
    ]);
    expect(own.code, own.stderr).toBe(0);
    const ownApplied = await onLaptop(["apply", own.stdout.split("\n")[0] ?? "", "--yes"]);
    expect(ownApplied.code, ownApplied.stderr).toBe(0);

    // 4. The repository file exactly as the guide shows it, with this walk's keys in place of its `k51…`.
    const guide = await readFile(join(import.meta.dirname, "../../../docs/operator-guide.md"), "utf8");
    const shownConfig = /## 4\.[\s\S]*?```yaml\n([\s\S]*?)```/.exec(guide)?.[1] ?? "";
    expect(shownConfig).toContain("id: k51…app");
    const config = shownConfig.replace("k51…docs", folder).replace("k51…app", target);
    // The app on the bot's data directory, where `pair receive` recorded the laptop's stream.
    const app = await startApp(
      bot.store,
      { config, permissions: { maintainer: { permission: "write", role_name: "write" } } },
      { dataDir: botDir() },
    );
    try {
      // 5. The contributor proposes and delivers: `--deliver` checks the repository, publishes, opens the issue.
      const proposed = await runCli(
        [
          ...["--kubo", contributor.apiUrl, "propose", "--target", target, "--title", "Name it"],
          ...["--set", "Name=My App", "--add", `Links=${LINK}`, "--deliver", `${REPO.owner}/${REPO.repo}`],
        ],
        { env: { GITHUB_TOKEN: "ghp_contributor", HOME: cli.dir } },
      );
      expect(proposed.code, proposed.stderr).toBe(0);
      const key = proposed.stdout.split("\n")[0] ?? "";
      expect(proposed.stdout).toContain(
        "  entries: 2\n    UpdateNameAsync on the target\n    AddLinkAsync on the target",
      );
      const [opened] = app.gh.sent("POST", `/repos/${REPO.owner}/${REPO.repo}/issues`);
      const body = String((opened?.body as { body?: string } | undefined)?.body);
      expect(body).toContain(`Patch: \`${key}\``);
      expect(proposed.stdout).toMatch(
        new RegExp(`\nPosted on https://github\\.com/${REPO.owner}/${REPO.repo}/issues/\\d+\n$`),
      );

      // 6. GitHub sends the issue: the bot reacts with 👀 and posts the review; a writer adds the approve label.
      const issue = { number: 7, body, author: "ada" };
      await app.deliver("issues", issueOpened(issue));
      await app.settle();
      expect(app.failures).toEqual([]);
      expect(app.gh.sent("POST", "/issues/7/reactions").map((r) => r.body)).toEqual([{ content: "eyes" }]);
      const review = app.gh.botComments(7).find((c) => parseMarker(c.body)?.kind === "review");
      expect(parseMarker(review?.body)).toMatchObject({ kind: "review", key, state: "ready" });

      const approve = "nomad-patch: approve";
      await app.deliver("issues", issueLabeled({ ...issue, labels: [approve] }, approve, "maintainer"));
      await app.settle();
      expect(app.failures).toEqual([]);
      const outcome = app.gh.botComments(7).at(-1);
      expect(parseMarker(outcome?.body)).toMatchObject({ kind: "status", state: "applied", key });
      expect(outcome?.body).toContain("**Approved by:** maintainer");

      // 7. Read back on the laptop: the published value is the guide's, its Sources as the laptop made them.
      const resolved = (await laptop.store.resolveName(target))?.toString() ?? "";
      const value = (await dagGetJsonAsCSharpDoes(laptop.apiUrl, resolved)) as Record<string, unknown>;
      expect(value.Description).toBe("An app");
      expect(JSON.stringify({ Name: value.Name, Links: value.Links })).toBe(
        '{"Name":"My App","Links":[{"Description":"Homepage","Id":"link-1","Name":"Website","Url":"https://example.com"}]}',
      );
      expect(value.Sources).toEqual([laptopLocal]);
      // A C# device holding the laptop's local key reaches the bot's entries through the pairing's SourceAdd.
      const entries = await resolveEventStreamEntries(laptop.apiUrl, [laptopLocal!]);
      expect(orderAsRepository(entries, target).map((e) => [e.source, e.EventId])).toEqual([
        [laptopLocal, "UpdateDescriptionAsync"],
        [botLocal, "UpdateNameAsync"],
        [botLocal, "AddLinkAsync"],
      ]);
    } finally {
      await app.stop({ keepData: true });
    }
  }, 240_000);
});
