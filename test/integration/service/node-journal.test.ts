import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DecodeError } from "../../../src/errors.js";
import type { IpnsKey } from "../../../src/ipfs/store.js";
import { type JournalRecord, openFileJournal } from "../../../src/service/apply-journal.js";
import { type JournalNode, openNodeJournal } from "../../../src/service/node-journal.js";

/** A node as the journal sees it: its peer id and its keys (the journal asks nothing else). */
function node(peerId: string, keys: IpnsKey[]): JournalNode {
  return {
    id: async () => ({ peerId, addresses: [] }),
    listKeys: async () => keys,
  };
}

const LOCAL = "WindowsAppCommunity.Project.Local.app";
const deviceA = node("12D3KooWA", [{ name: LOCAL, id: "k51a" }]);
// Another device of the same target: same key name, another key.
const deviceB = node("12D3KooWB", [{ name: LOCAL, id: "k51b" }]);
const stranger = node("12D3KooWC", [{ name: "self", id: "k51c" }]);

function record(patchCid: string, overrides: Partial<JournalRecord> = {}): JournalRecord {
  return {
    version: 1,
    patchKey: "k51patch",
    patchCid,
    targetId: "k51target",
    expectResultCid: "bafyresult",
    localKeyName: LOCAL,
    roamingKeyName: "WindowsAppCommunity.Project.Roaming.app",
    state: "planned",
    entries: [],
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("a journal per node in a shared data directory", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-node-journal-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps each node's records apart", async () => {
    const a = await openNodeJournal(deviceA, dataDir);
    const b = await openNodeJournal(deviceB, dataDir);
    await a.put(record("bafypatch1"));
    expect(a.peerId).toBe("12D3KooWA");
    expect(await a.get("bafypatch1")).toMatchObject({ patchCid: "bafypatch1" });
    expect(await b.get("bafypatch1")).toBeUndefined();
    // The record, and the folder of the markers of unfinished applies (this one is `planned`).
    expect((await readdir(join(dataDir, "journal", "12D3KooWA"))).sort()).toEqual([
      "bafypatch1.json",
      "open",
    ]);
    expect(await b.unfinished("k51target")).toEqual([]);
    expect((await a.unfinished("k51target")).map((r) => r.patchCid)).toEqual(["bafypatch1"]);
  });

  it("gives a finished record of the older shared layout to the node whose local key wrote it, once", async () => {
    const done = record("bafypatch2", {
      state: "done",
      outcome: {
        status: "applied",
        patchKey: "k51patch",
        patchCid: "bafypatch2",
        targetId: "k51target",
        roamingCid: "bafyresult",
        localStreamCid: "bafystream",
        localKey: "k51a",
        entryCids: [],
        appliedAt: "2026-01-01T00:00:00.000Z",
      },
    });
    await (await openFileJournal(dataDir)).put(done);
    // B holds a key of the same name, but not the key that wrote the entries.
    expect(await (await openNodeJournal(deviceB, dataDir)).get("bafypatch2")).toBeUndefined();
    expect(await (await openNodeJournal(stranger, dataDir)).get("bafypatch2")).toBeUndefined();
    expect(await (await openNodeJournal(deviceA, dataDir)).get("bafypatch2")).toEqual(done);
    expect(await readdir(join(dataDir, "journal", "12D3KooWA"))).toEqual(["bafypatch2.json"]);
    expect(await (await openFileJournal(dataDir)).get("bafypatch2")).toBeUndefined();
    expect(await (await openNodeJournal(deviceA, dataDir)).get("bafypatch2")).toEqual(done);
  });

  it("gives an unfinished record of the older layout to one device of its target, never to two", async () => {
    await (await openFileJournal(dataDir)).put(record("bafypatch3", { state: "local-published" }));
    expect(await (await openNodeJournal(stranger, dataDir)).get("bafypatch3")).toBeUndefined();
    const [a, b] = await Promise.all([openNodeJournal(deviceA, dataDir), openNodeJournal(deviceB, dataDir)]);
    const found = await Promise.all([a.get("bafypatch3"), b.get("bafypatch3")]);
    expect(found.filter((r) => r !== undefined)).toHaveLength(1);
    expect(await a.get("bafypatch3")).toEqual(found[0]);
    expect(await b.get("bafypatch3")).toEqual(found[1]);
  });

  it("refuses a peer id that could not be a directory name", async () => {
    await expect(openNodeJournal(node("../escape", []), dataDir)).rejects.toThrow(DecodeError);
  });
});
