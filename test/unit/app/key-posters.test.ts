import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base36 } from "multiformats/bases/base36";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { afterEach, describe, expect, it } from "vitest";
import { createKeyPosters } from "../../../src/app/key-posters.js";

const KEY = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";
const LANE = "Codertocat/Hello-World#1";
const ISSUE_AT = "2026-01-01T00:00:00Z";
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
/** A key of its own per `i`: an Ed25519 public key (protobuf-wrapped) as a libp2p-key CID, `k51…`. */
const keyNumber = (i: number) => {
  const key = new Uint8Array(36);
  key.set([8, 1, 18, 32]);
  new DataView(key.buffer).setUint32(32, i);
  return CID.createV1(0x72, identity.digest(key)).toString(base36);
};

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});
async function tempFile() {
  const dir = await mkdtemp(join(tmpdir(), "key-posters-"));
  dirs.push(dir);
  return join(dir, "key-posters.json");
}

describe("createKeyPosters: who posted a key first on an issue, as the texts arrived", () => {
  it("keeps the earliest text by GitHub's time, whatever order the events came in", async () => {
    const posters = createKeyPosters();
    await posters.record(LANE, `Is ipns://${KEY} ready?`, "admin", at(2));
    await posters.record(LANE, `Soon at ipns://${KEY}`, "stranger", at(1));
    await posters.record(LANE, `Patch: ${KEY}`, "admin", at(3));
    expect(posters.lookup(LANE, KEY, ISSUE_AT)).toEqual({ kind: "recorded", login: "stranger", at: at(1) });
    expect(posters.lookup("Codertocat/Hello-World#2", KEY, ISSUE_AT)).toEqual({ kind: "none" });
  });

  it("refuses what no webhook of GitHub carries: a malformed lane, login or time records nothing", async () => {
    const posters = createKeyPosters();
    await posters.record("not a lane", `Patch: ${KEY}`, "stranger", at(1));
    await posters.record(LANE, `Patch: ${KEY}`, "bad login\n", at(1));
    await posters.record(LANE, `Patch: ${KEY}`, "stranger", "yesterday");
    expect(posters.size).toBe(0);
  });

  it("holds a flood of 1,000 keys on one issue within its bound, and what it dropped is not known", async () => {
    const posters = createKeyPosters({ perIssue: 10 });
    for (let i = 0; i < 1_000; i += 1)
      await posters.record(LANE, `ipns://${keyNumber(i)}`, "stranger", at(1));
    expect(posters.size).toBe(10);
    // The newest are kept; a dropped one is not read as "nobody posted it before".
    expect(posters.lookup(LANE, keyNumber(999), ISSUE_AT)).toMatchObject({ kind: "recorded" });
    expect(posters.lookup(LANE, keyNumber(0), ISSUE_AT)).toEqual({ kind: "forgotten" });
    expect(posters.lookup(LANE, KEY, ISSUE_AT)).toEqual({ kind: "forgotten" });
  });

  it("drops the least recently written issues past its total, and no issue they could have been is trusted", async () => {
    const posters = createKeyPosters({ perIssue: 10, total: 20 });
    for (let i = 1; i <= 1_000; i += 1)
      await posters.record(`Codertocat/Hello-World#${i}`, `ipns://${keyNumber(i)}`, "stranger", at(i % 60));
    expect(posters.size).toBe(20);
    expect(posters.lookup("Codertocat/Hello-World#1000", keyNumber(1000), ISSUE_AT)).toMatchObject({
      kind: "recorded",
    });
    // Issue 1's record was dropped: an issue created before the newest dropped text may have lost one.
    expect(posters.lookup("Codertocat/Hello-World#1", keyNumber(1), ISSUE_AT)).toEqual({ kind: "forgotten" });
    expect(posters.lookup("Codertocat/Hello-World#1", keyNumber(1), undefined)).toEqual({
      kind: "forgotten",
    });
    // An issue created after every dropped text cannot have lost a record.
    expect(posters.lookup("Codertocat/Hello-World#5000", KEY, "2026-02-01T00:00:00Z")).toEqual({
      kind: "none",
    });
  });

  it("outlives a restart in its file, and its file stays within its bound under a flood", async () => {
    const file = await tempFile();
    const posters = createKeyPosters({ file, perIssue: 100 });
    await posters.record(LANE, `Soon at ipns://${KEY}`, "stranger", at(1));
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        posters.record("Codertocat/Hello-World#2", `ipns://${keyNumber(i)}`, "stranger", at(2)),
      ),
    );
    const again = createKeyPosters({ file });
    expect(again.lookup(LANE, KEY, ISSUE_AT)).toEqual({ kind: "recorded", login: "stranger", at: at(1) });
    expect(again.size).toBe(101);
    expect((await stat(file)).size).toBeLessThan(101 * 200);
  });

  it("discards a damaged file, and then knows no first poster of any issue created before it was read", async () => {
    const file = await tempFile();
    const posters = createKeyPosters({ file });
    await posters.record(LANE, `Soon at ipns://${KEY}`, "stranger", at(1));
    const written = JSON.parse(await readFile(file, "utf8"));
    const logs: string[] = [];
    const now = () => new Date("2026-01-02T00:00:00Z");
    for (const damaged of [
      "{ not json",
      JSON.stringify({ ...written, v: 2 }),
      JSON.stringify({ ...written, issues: [...written.issues, ...written.issues] }),
      JSON.stringify({ ...written, issues: [{ ...written.issues[0], keys: [[KEY, "admin", "soon"]] }] }),
    ]) {
      await writeFile(file, damaged);
      const read = createKeyPosters({ file, now, log: (message) => logs.push(message) });
      expect(read.size).toBe(0);
      expect(read.lookup(LANE, KEY, ISSUE_AT)).toEqual({ kind: "forgotten" });
      expect(read.lookup(LANE, KEY, "2026-01-03T00:00:00Z")).toEqual({ kind: "none" });
    }
    expect(logs).toHaveLength(4);
  });
});
