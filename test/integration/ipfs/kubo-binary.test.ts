import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKubo, KuboBinaryError } from "../../../src/ipfs/kubo-binary.js";
import { run } from "../../../src/ipfs/kubo-install.js";

/** KUBO_BIN names a binary the user chose: when it is not Kubo 0.43.1, the error says what it printed. */
describe("KUBO_BIN that is not the pinned Kubo", () => {
  let dir: string;
  const script = async (name: string, body: string) => {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/sh\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nomad-patch-kubo-bin-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("says that a binary printing nothing is not Kubo", async () => {
    const error = await findKubo({ KUBO_BIN: "/bin/true" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KuboBinaryError);
    expect((error as Error).message).toBe(
      "KUBO_BIN=/bin/true printed nothing for `ipfs version --number`: it is not Kubo (nomad-patch needs Kubo 0.43.1)",
    );
  });

  it("quotes what another program printed", async () => {
    const other = await script("other", 'echo "usage: other [--flag]"');
    const error = await findKubo({ KUBO_BIN: other }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `KUBO_BIN=${other} printed "usage: other [--flag]" for \`ipfs version --number\`: it is not Kubo (nomad-patch needs Kubo 0.43.1)`,
    );
  });

  it("names the version of another Kubo", async () => {
    const old = await script("ipfs", "echo 0.30.0");
    const error = await findKubo({ KUBO_BIN: old }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`KUBO_BIN=${old} is Kubo 0.30.0; nomad-patch needs Kubo 0.43.1`);
  });

  it("says when it does not run at all", async () => {
    const error = await findKubo({ KUBO_BIN: join(dir, "missing") }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("does not run as `ipfs version`");
  });
});

describe("a long install step", () => {
  it("says it is still working, and on what, while it runs", async () => {
    const lines: string[] = [];
    // A step that prints what it works on and then takes a while (like `go install -v` on one package).
    await run("sh", ["-c", "echo github.com/ipfs/boxo/bitswap; sleep 2"], {
      env: { PATH: process.env.PATH },
      timeoutMs: 60_000,
      log: (line) => lines.push(line),
      doing: "building Kubo with Go",
      progressEveryMs: 200,
    });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatch(
      /^still building Kubo with Go: \d+ s, now: github\.com\/ipfs\/boxo\/bitswap$/,
    );
  });
});
