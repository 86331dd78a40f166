import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataDirInUseError, lockDataDir } from "../../../src/service/data-dir-lock.js";

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
});
