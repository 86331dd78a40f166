import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KuboUnavailableError } from "../../../src/ipfs/errors.js";
import { KuboStore } from "../../../src/ipfs/kubo-store.js";
import { openFileJournal } from "../../../src/service/apply-journal.js";
import { applyPatch } from "../../../src/service/apply-patch.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import names from "../../fixtures/nomad/names.json" with { type: "json" };
import { faultLimits } from "./patch-setup.js";

/** A loopback port nobody listens on: bound once to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("Kubo unreachable", () => {
  let apiUrl: string;
  let dataDir: string;
  beforeAll(async () => {
    apiUrl = `http://127.0.0.1:${await closedPort()}`;
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-unreachable-"));
  });
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("a review fails with KuboUnavailableError naming the address", async () => {
    const store = new KuboStore({ apiUrl });
    const error = await reviewPatch({ store }, { key: names.P, limits: faultLimits }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KuboUnavailableError);
    expect((error as Error).message).toContain(`No Kubo daemon answers at ${apiUrl}`);
    expect((error as KuboUnavailableError).exitCode).toBe(69);
  });

  it("an apply fails the same way, writes nothing and leaves the journal untouched", async () => {
    const store = new KuboStore({ apiUrl });
    const journal = await openFileJournal(dataDir);
    const patchCid = names.roaming.project;
    const error = await applyPatch(
      { store, journal },
      { key: names.P, expectPatchCid: patchCid, expectResultCid: patchCid, limits: faultLimits },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KuboUnavailableError);
    expect(await journal.get(patchCid)).toBeUndefined();
    // No record, no partial file, no lock left behind.
    expect(await readdir(join(dataDir, "journal"))).toEqual([]);
  });
});
