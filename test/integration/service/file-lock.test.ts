import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withFileLock } from "../../../src/service/file-lock.js";
import { root } from "../app/app-process.js";
import { startRacer } from "./lock-racer.js";

/** The built lock (`npm run build`), as the app's and the CLI's processes run it. */
const builtLock = join(root, "lib/service/file-lock.js");

/**
 * A process that, at each `take` line, runs a task under the lock; the task makes a file only one holder
 * may make (`wx`), holds it a moment and removes it. It answers `ok`, or `overlap` when another holder's
 * file was there: two processes held the lock at once.
 */
const RACER = `
import { createInterface } from "node:readline";
import { open, rm } from "node:fs/promises";
const { withFileLock } = await import(process.argv[2]);
const [lockPath, inside] = [process.argv[3], process.argv[4]];
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== "take") continue;
  try {
    const answer = await withFileLock(lockPath, async () => {
      let handle;
      try {
        handle = await open(inside, "wx");
      } catch {
        return "overlap";
      }
      await handle.close();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await rm(inside, { force: true });
      return "ok";
    }, 30000);
    process.stdout.write(answer + "\\n");
  } catch (error) {
    process.stdout.write("error " + error.message + "\\n");
  }
}
`;

describe("the lock between the app and the CLI (apply journal, known sources, inbox records)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "file-lock-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is held by one process at a time when several take over the same dead process's lock at once", async () => {
    expect(existsSync(builtLock), `${builtLock} is missing: run \`npm run build\``).toBe(true);
    const script = join(dir, "racer.mjs");
    await writeFile(script, RACER);
    const lockDir = join(dir, "locks");
    await mkdir(lockDir);
    const lockPath = join(lockDir, "target.lock");
    const inside = join(dir, "inside");
    const racers = Array.from({ length: 6 }, () =>
      startRacer(script, [pathToFileURL(builtLock).href, lockPath, inside]),
    );
    try {
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      const answers: string[] = [];
      for (let round = 0; round < 20; round++) {
        // A lock left by a process that is gone (a crash mid-apply); every racer finds it at once.
        await writeFile(lockPath, String(dead));
        for (const racer of racers) racer.child.stdin?.write("take\n");
        answers.push(...(await Promise.all(racers.map((racer) => racer.next()))));
        expect(existsSync(lockPath)).toBe(false);
      }
      expect(answers.filter((answer) => answer !== "ok")).toEqual([]);
      expect(answers).toHaveLength(120);
      // Nothing is left beside the lock once every holder let it go.
      expect(await readdir(lockDir)).toEqual([]);
    } finally {
      for (const racer of racers) racer.child.kill();
    }
  });

  it("takes over a lock naming this process's own pid that no task of this process holds (a restarted container)", async () => {
    const lockPath = join(dir, "target.lock");
    await writeFile(lockPath, String(process.pid));
    const ran = await withFileLock(lockPath, async () => "ran", 3_000);
    expect(ran).toBe("ran");
    expect(existsSync(lockPath)).toBe(false);
  });

  it("still keeps two tasks of one process apart on the same lock", async () => {
    const lockPath = join(dir, "target.lock");
    let inside = 0;
    let most = 0;
    const task = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inside--;
    };
    await Promise.all(Array.from({ length: 5 }, () => withFileLock(lockPath, task)));
    expect(most).toBe(1);
    expect(existsSync(lockPath)).toBe(false);
  });
});
