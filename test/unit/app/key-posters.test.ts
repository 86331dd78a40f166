import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createKeyPosters } from "../../../src/app/key-posters.js";
import { numberedKey } from "../../helpers/numbered-key.js";

const KEY = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";
const LANE = "Codertocat/Hello-World#1";
const ISSUE_AT = "2026-01-01T00:00:00Z";
const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
const keyNumber = numberedKey;

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
    await posters.record(LANE, `Is ipns://${KEY} ready?`, "admin", at(2), ISSUE_AT);
    await posters.record(LANE, `Soon at ipns://${KEY}`, "stranger", at(1), ISSUE_AT);
    await posters.record(LANE, `Patch: ${KEY}`, "admin", at(3), ISSUE_AT);
    expect(posters.lookup(LANE, KEY, ISSUE_AT)).toEqual({ kind: "recorded", login: "stranger", at: at(1) });
    expect(posters.lookup("Codertocat/Hello-World#2", KEY, ISSUE_AT)).toEqual({ kind: "none" });
  });

  it("refuses what no webhook of GitHub carries: a malformed lane, login or time records nothing", async () => {
    const posters = createKeyPosters();
    await posters.record("not a lane", `Patch: ${KEY}`, "stranger", at(1), ISSUE_AT);
    await posters.record(LANE, `Patch: ${KEY}`, "bad login\n", at(1), ISSUE_AT);
    await posters.record(LANE, `Patch: ${KEY}`, "stranger", "yesterday", ISSUE_AT);
    expect(posters.size).toBe(0);
  });

  it("holds a flood of 1,000 keys on one issue within its bound, and what it dropped is not known", async () => {
    const posters = createKeyPosters({ perIssue: 10 });
    for (let i = 0; i < 1_000; i += 1)
      await posters.record(LANE, `ipns://${keyNumber(i)}`, "stranger", at(1), ISSUE_AT);
    expect(posters.size).toBe(10);
    // A dropped key is not read as "nobody posted it before"; nor is one first recorded after a drop, which
    // may have been among the dropped ones.
    expect(posters.lookup(LANE, keyNumber(999), ISSUE_AT)).toEqual({ kind: "forgotten" });
    expect(posters.lookup(LANE, keyNumber(0), ISSUE_AT)).toEqual({ kind: "forgotten" });
    expect(posters.lookup(LANE, KEY, ISSUE_AT)).toEqual({ kind: "forgotten" });
    // A maintainer's later text does not make them the first poster of a key whose record may be gone.
    await posters.record(LANE, `Patch: ${keyNumber(0)}`, "admin", at(5), ISSUE_AT);
    expect(posters.lookup(LANE, keyNumber(0), ISSUE_AT)).toEqual({ kind: "forgotten" });
  });

  it("drops the least recently written issues past its total, and no issue they could have been is trusted", async () => {
    const posters = createKeyPosters({ perIssue: 10, total: 20 });
    for (let i = 1; i <= 1_000; i += 1)
      await posters.record(
        `Codertocat/Hello-World#${i}`,
        `ipns://${keyNumber(i)}`,
        "stranger",
        at(i % 60),
        ISSUE_AT,
      );
    expect(posters.size).toBe(20);
    // Issue 1000's record was made after issues were dropped, on an issue as old: it is not trusted either.
    expect(posters.lookup("Codertocat/Hello-World#1000", keyNumber(1000), ISSUE_AT)).toEqual({
      kind: "forgotten",
    });
    // Issue 1's record was dropped: an issue created before the newest dropped text may have lost one.
    expect(posters.lookup("Codertocat/Hello-World#1", keyNumber(1), ISSUE_AT)).toEqual({ kind: "forgotten" });
    expect(posters.lookup("Codertocat/Hello-World#1", keyNumber(1), undefined)).toEqual({
      kind: "forgotten",
    });
    await posters.record("Codertocat/Hello-World#1", `Patch: ${keyNumber(1)}`, "admin", at(59), ISSUE_AT);
    expect(posters.lookup("Codertocat/Hello-World#1", keyNumber(1), ISSUE_AT)).toEqual({ kind: "forgotten" });
    // An issue created after every dropped text cannot have lost a record.
    expect(posters.lookup("Codertocat/Hello-World#5000", KEY, "2026-02-01T00:00:00Z")).toEqual({
      kind: "none",
    });
    const later = "2026-02-01T00:00:00Z";
    await posters.record(
      "Codertocat/Hello-World#5000",
      `ipns://${KEY}`,
      "stranger",
      "2026-02-01T00:01:00Z",
      later,
    );
    expect(posters.lookup("Codertocat/Hello-World#5000", KEY, later)).toMatchObject({ kind: "recorded" });
  });

  it("outlives a restart in its file, and its file stays within its bound under a flood", async () => {
    const file = await tempFile();
    const posters = createKeyPosters({ file, perIssue: 100 });
    await posters.record(LANE, `Soon at ipns://${KEY}`, "stranger", at(1), ISSUE_AT);
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        posters.record("Codertocat/Hello-World#2", `ipns://${keyNumber(i)}`, "stranger", at(2), ISSUE_AT),
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
    await posters.record(LANE, `Soon at ipns://${KEY}`, "stranger", at(1), ISSUE_AT);
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
