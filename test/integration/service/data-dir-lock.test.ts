import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataDirInUseError, lockDataDir } from "../../../src/service/data-dir-lock.js";
import { root } from "../app/app-process.js";
import { startRacer } from "./lock-racer.js";

/** The built lock (`npm run build`), as the app's processes run it. */
const builtLock = join(root, "lib/service/data-dir-lock.js");

/**
 * A process that, at each `take` line on its stdin, tries to lock the directory and answers `held` or
 * `refused`, and at `release` releases what it holds: one racer of many, all told to go at once.
 */
const RACER = `
import { createInterface } from "node:readline";
const { lockDataDir } = await import(process.argv[2]);
const dataDir = process.argv[3];
let held;
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "take") {
    try {
      held = await lockDataDir(dataDir);
      process.stdout.write("held\\n");
    } catch (error) {
      process.stdout.write(error.code === "IN_USE" ? "refused\\n" : "error " + error.message + "\\n");
    }
  } else if (line === "release") {
    await held?.release();
    held = undefined;
    process.stdout.write("released\\n");
  }
}
`;

describe("the app's data directory lock", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "data-dir-lock-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("takes over a lock naming its own pid, left by an earlier run under the same pid (a restarted container)", async () => {
    await writeFile(join(dataDir, "app.lock"), String(process.pid));
    const lines: string[] = [];
    const lock = await lockDataDir(dataDir, (line) => lines.push(line));
    expect(await readFile(lock.path, "utf8")).toBe(String(process.pid));
    expect(lines).toEqual([expect.stringContaining("taken over")]);
    await lock.release();
  });

  it("refuses while another live process holds it, naming that process", async () => {
    // The parent of this test process is alive and is not this process.
    await writeFile(join(dataDir, "app.lock"), String(process.ppid));
    const refused = await lockDataDir(dataDir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as DataDirInUseError).ownerPid).toBe(process.ppid);
    expect(await readFile(join(dataDir, "app.lock"), "utf8")).toBe(String(process.ppid));
  });

  it("is held by exactly one of several processes taking over the same dead process's lock at once", async () => {
    expect(existsSync(builtLock), `${builtLock} is missing: run \`npm run build\``).toBe(true);
    const script = join(dataDir, "racer.mjs");
    await writeFile(script, RACER);
    const lockDir = join(dataDir, "data");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(lockDir);
    const racers = Array.from({ length: 6 }, () =>
      startRacer(script, [pathToFileURL(builtLock).href, lockDir]),
    );
    try {
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      const holders: number[] = [];
      for (let round = 0; round < 40; round++) {
        // A lock left by a process that is gone; every racer finds it at the same moment.
        await writeFile(join(lockDir, "app.lock"), String(dead));
        for (const racer of racers) racer.child.stdin?.write("take\n");
        const answers = await Promise.all(racers.map((racer) => racer.next()));
        expect(answers.filter((a) => a !== "held" && a !== "refused")).toEqual([]);
        holders.push(answers.filter((a) => a === "held").length);
        // The one holding it is the one the file names.
        const owner = Number(await readFile(join(lockDir, "app.lock"), "utf8"));
        const holder = racers[answers.indexOf("held")];
        expect(owner).toBe(holder?.child.pid);
        for (const racer of racers) racer.child.stdin?.write("release\n");
        await Promise.all(racers.map((racer) => racer.next()));
        expect(existsSync(join(lockDir, "app.lock"))).toBe(false);
      }
      expect(holders.filter((n) => n !== 1)).toEqual([]);
      // Nothing is left beside the lock once it is released.
      expect(await readdir(lockDir)).toEqual([]);
    } finally {
      for (const racer of racers) racer.child.kill();
    }
  });

  it("takes over a dead lock whose earlier taker died while taking it, and removes what dead starters left", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const path = join(dataDir, "app.lock");
    await writeFile(path, String(dead));
    const { stat } = await import("node:fs/promises");
    const info = await stat(path, { bigint: true });
    // A taker that died holding the right to remove it, and a starter that died before linking its pid file.
    await writeFile(`${path}.takeover-${info.ino}-${info.mtimeNs}-0`, String(dead));
    await writeFile(`${path}.pid-${dead}-0123456789ab`, String(dead));
    const lock = await lockDataDir(dataDir);
    expect(await readFile(lock.path, "utf8")).toBe(String(process.pid));
    expect(await readdir(dataDir)).toEqual(["app.lock"]);
    await lock.release();
    expect(await readdir(dataDir)).toEqual([]);
  });
});
