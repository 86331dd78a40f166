import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";

/** Usage is checked before any node is contacted: none of these needs Kubo. */
async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: "/",
  });
  return { code, stdout, stderr };
}

describe("nomad-patch usage", () => {
  it("has help for every command, exit 0, with the data directory's default spelled out", async () => {
    const commands = [
      ...["propose", "rebase", "export", "show", "apply", "init", "create", "pair", "pair send"],
      ...["pair receive", "status", "deliver", "inbox", "watch"],
    ];
    for (const command of commands) {
      const run = await cli(...command.split(" "), "--help");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: nomad-patch ${command}`);
      expect(run.stdout).toContain("--kubo <address>");
      // Pairing records the other devices there: an operator who moves it loses them, so the default is named.
      expect(run.stdout.replace(/\s+/g, " ")).toContain(
        "where the managed node, the apply journal and the paired devices live (default: NOMAD_PATCH_DATA_DIR, else ~/.local/share/nomad-patch)",
      );
    }
  });

  it("answers usage mistakes with 64 and a message", async () => {
    expect(await cli()).toMatchObject({ code: 64 });
    expect(await cli("frobnicate")).toMatchObject({
      code: 64,
      stderr: expect.stringContaining("unknown command"),
    });
    expect(await cli("show", "k51x", "--format", "pdf")).toMatchObject({ code: 64 });
    expect(await cli("propose", "--target", "k51x")).toMatchObject({
      code: 64,
      stderr: expect.stringContaining("--title"),
    });
    expect(await cli("propose", "--title", "t", "--set", "Name")).toMatchObject({
      code: 64,
      stderr: expect.stringContaining("Field=value"),
    });
    expect(await cli("propose", "--title", "t", "--target", "k51x")).toMatchObject({
      code: 64,
      stderr: expect.stringContaining("in one way"),
    });
    expect(await cli("--kubo", "nowhere", "status")).toMatchObject({
      code: 64,
      stderr: expect.stringContaining("--kubo takes an RPC address"),
    });
  });

  it("names the command the user ran in every usage error's hint, in text and in --json", async () => {
    const mistakes: ReadonlyArray<readonly [string, readonly string[]]> = [
      ["nomad-patch pair receive", ["pair", "receive", "--code", "ab-cd"]],
      ["nomad-patch pair send", ["pair", "send", "k51x", "--bogus"]],
      ["nomad-patch pair", ["pair", "sned"]],
      ["nomad-patch export", ["export", "k51x"]],
      ["nomad-patch show", ["show", "k51x", "--format", "pdf"]],
      ["nomad-patch", ["frobnicate"]],
    ];
    for (const [command, argv] of mistakes) {
      const hint = `run \`${command} --help\` for usage`;
      const text = await cli(...argv);
      expect(text.code, argv.join(" ")).toBe(64);
      expect(text.stderr, argv.join(" ")).toMatch(/^error: /);
      expect(text.stderr.endsWith(`(${hint})\n`), text.stderr).toBe(true);
      const json = await cli("--json", ...argv);
      expect(json.code).toBe(64);
      expect(json.stderr).toBe("");
      expect(JSON.parse(json.stdout).error).toMatchObject({ code: "USAGE", exitCode: 64, hint });
    }
  });

  it("says which commands a command needs when it is run without one, in --json too", async () => {
    const text = await cli("pair");
    expect(text.code).toBe(64);
    expect(text.stderr).toContain("Usage: nomad-patch pair");
    const json = await cli("--json", "pair");
    expect(json.code).toBe(64);
    expect(JSON.parse(json.stdout).error).toEqual({
      code: "USAGE",
      exitCode: 64,
      message: "error: `nomad-patch pair` needs a command: send, receive",
      hint: "run `nomad-patch pair --help` for usage",
    });
  });

  it("refuses a malformed --key-name-prefix with 64 before any node is reached", async () => {
    const kubo = ["--kubo", "http://127.0.0.1:9"];
    const runs = [
      await cli(
        ...kubo,
        "pair",
        "receive",
        "--module",
        "storage",
        "--key-name-prefix",
        "",
        "--code",
        "ab-cd",
      ),
      await cli(
        ...kubo,
        "pair",
        "receive",
        "--module",
        "storage",
        "--key-name-prefix",
        "My Storage",
        "--code",
        "ab-cd",
      ),
      await cli(...kubo, "init", "k51x", "--key-name-prefix", "Nomad..Storage"),
      await cli(
        ...kubo,
        "create",
        "--module",
        "storage",
        "--name",
        "Docs",
        "--key-name-prefix",
        "App.Roaming.X",
      ),
    ];
    for (const run of runs) {
      expect(run.code).toBe(64);
      expect(run.stderr).toContain("The key-name prefix");
    }
    expect(runs[0]?.stderr).toContain("cannot be empty");
    expect(runs[1]?.stderr).toContain("white space");
  });

  it("refuses a --peer or --from that is no peer id, and a --target that is no key, with 64 before any node is reached", async () => {
    const kubo = ["--kubo", "http://127.0.0.1:9"];
    const target = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
    const receive = ["pair", "receive", "--module", "storage", "--code", "ab-cd"];
    const runs = [
      await cli(...kubo, "pair", "send", target, "--peer", "k51qzi5uqu5d"),
      await cli(...kubo, ...receive, "--from", "12D3KooW not an id"),
      await cli(...kubo, ...receive, "--target", "12D3KooWnotakey"),
    ];
    expect(runs.map((r) => r.code)).toEqual([64, 64, 64]);
    expect(runs[0]?.stderr).toContain("--peer takes a node's peer id");
    expect(runs[1]?.stderr).toContain("--from takes a node's peer id");
    expect(runs[2]?.stderr).toContain("--target");
  });

  it("tells a key's name from its id: a key name where a key is expected says where the id is", async () => {
    const kubo = ["--kubo", "http://127.0.0.1:9"];
    for (const argv of [
      ["export", "Nomad.Kubo.Storage.Roaming.Docs", "out"],
      ["pair", "send", "WindowsAppCommunity.Sdk.Project.Roaming.MyApp"],
      ["show", "Nomad.PatchRequest.Roaming.say-hello-x1"],
    ]) {
      const run = await cli(...kubo, ...argv);
      expect(run.code, run.stderr).toBe(64);
      const [message, hint] = run.stderr.split("\n");
      expect(message).toContain(`Not an IPNS name: "${argv[argv[0] === "pair" ? 2 : 1]}"`);
      expect(hint).toBe(
        "  that is the name of a key on a node; commands take its id (k51…), which `nomad-patch status` or `ipfs key list -l` on that node shows",
      );
    }
    // Only a dotted name gets that hint: a mistyped id does not.
    const typo = await cli(...kubo, "export", "k51qzi5uqu5dXXX", "out");
    expect(typo.code).toBe(64);
    expect(typo.stderr).not.toContain("the name of a key");
  });

  it("will not apply without a terminal to ask on unless --yes", async () => {
    const run = await cli("--kubo", "http://127.0.0.1:9", "apply", "k51x");
    expect(run.code).toBe(64);
    expect(run.stderr).toContain("--yes");
  });

  it("reports a bad environment setting as usage", async () => {
    let stderr = "";
    const code = await main(["status"], {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: { NOMAD_PATCH_MAX_ENTRIES: "lots" },
      cwd: "/",
    });
    expect(code).toBe(64);
    expect(stderr).toContain("NOMAD_PATCH_MAX_ENTRIES");
    // What to do next, as the app's own settings say it: where the setting lives and where it is described.
    expect(stderr).toContain(
      "fix them in the environment (the app also reads .env) as the README's Configuration describes, then run again",
    );
  });
});
