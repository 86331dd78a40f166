import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ApplyJournal,
  type JournalRecord,
  type JournalState,
  memoryJournal,
  openFileJournal,
} from "../../../src/service/apply-journal.js";

const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
const OTHER = "k51qzi5uqu5dgutdk6i1ynyzgkqngpha5xpgia3a5qqp4jsh0u4csozksxel3r";

function record(patchCid: string, state: JournalState, targetId = TARGET): JournalRecord {
  return {
    version: 1,
    patchKey: `k51key${patchCid}`,
    patchCid,
    targetId,
    expectResultCid: "bafyresult",
    localKeyName: "local",
    roamingKeyName: "roaming",
    state,
    entries: [],
    updatedAt: new Date(0).toISOString(),
  };
}

/** The journal's file layout: `unfinished` reads markers, and must agree with the records. */
describe("the apply journal lists a target's unfinished applies", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "nomad-patch-unfinished-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const journals: [string, () => Promise<ApplyJournal>][] = [
    ["file", () => openFileJournal(dataDir)],
    ["memory", async () => memoryJournal()],
  ];
  for (const [kind, open] of journals) {
    it(`${kind}: planned and local-published are listed, done and failed are not, other targets never`, async () => {
      const journal = await open();
      await journal.put(record("bafyplanned", "planned"));
      await journal.put(record("bafyhalf", "planned"));
      await journal.put({ ...record("bafyhalf", "local-published"), streamCid: "bafystream" });
      await journal.put(record("bafydone", "planned"));
      await journal.put(record("bafydone", "done"));
      await journal.put(record("bafyfailed", "planned"));
      await journal.put(record("bafyfailed", "failed"));
      await journal.put(record("bafyelsewhere", "planned", OTHER));
      const listed = await journal.unfinished(TARGET);
      expect(listed.map((r) => [r.patchCid, r.state]).sort()).toEqual([
        ["bafyhalf", "local-published"],
        ["bafyplanned", "planned"],
      ]);
      expect((await journal.unfinished(OTHER)).map((r) => r.patchCid)).toEqual(["bafyelsewhere"]);
    });
  }

  it("a marker left by a crash after its record was finished lists nothing, and stray files are ignored", async () => {
    const journal = await openFileJournal(dataDir);
    await journal.put(record("bafydone", "done"));
    const markers = join(dataDir, "journal", "open", TARGET);
    // The crash: the marker was written for the planned state, the record reached `done`, the marker stayed.
    await journal.put(record("bafyleft", "planned"));
    await writeFile(join(dataDir, "journal", "bafyleft.json"), JSON.stringify(record("bafyleft", "done")));
    await writeFile(join(markers, "bafydone"), "");
    await writeFile(join(markers, "not a cid..json"), "");
    expect(await journal.unfinished(TARGET)).toEqual([]);
    // Finishing removes the marker; nothing is left but the two stray files above.
    await journal.put(record("bafyleft", "done"));
    expect((await readdir(markers)).sort()).toEqual(["bafydone", "not a cid..json"]);
  });

  it("a record whose target differs from its marker's folder is not listed under that target", async () => {
    const journal = await openFileJournal(dataDir);
    await journal.put(record("bafymoved", "planned", OTHER));
    await journal.put(record("bafycross", "planned", TARGET));
    // A marker for TARGET's record placed in OTHER's folder (a hand-edited or damaged journal).
    await writeFile(join(dataDir, "journal", "open", OTHER, "bafycross"), "");
    expect((await journal.unfinished(OTHER)).map((r) => r.patchCid)).toEqual(["bafymoved"]);
    expect((await journal.unfinished(TARGET)).map((r) => r.patchCid)).toEqual(["bafycross"]);
  });

  it("reads back the issue a record names, and refuses a record whose issue or times are malformed", async () => {
    const journal = await openFileJournal(dataDir);
    const issue = { owner: "Codertocat", repo: "Hello-World", number: 7 };
    await journal.put({ ...record("bafyissue", "failed"), issue, approvedAt: "2026-01-01T00:00:01Z" });
    expect((await journal.get("bafyissue"))?.issue).toEqual(issue);
    // A record of the older format names no issue, and reads as before.
    await journal.put(record("bafyolder", "failed"));
    expect((await journal.get("bafyolder"))?.issue).toBeUndefined();

    const malformed: [string, unknown][] = [
      ["an issue that is no object", "Codertocat/Hello-World#7"],
      ["a number that is text", { ...issue, number: "7" }],
      ["a number that is no issue's", { ...issue, number: 0 }],
      ["a fraction", { ...issue, number: 7.5 }],
      ["an owner with a slash", { ...issue, owner: "Codertocat/Other" }],
      ["an empty repository", { ...issue, repo: "" }],
      ["a field besides", { ...issue, url: "https://example.com" }],
      ["a field missing", { owner: issue.owner, number: 7 }],
    ];
    for (const [why, value] of malformed) {
      await writeFile(
        join(dataDir, "journal", "bafybad.json"),
        JSON.stringify({ ...record("bafybad", "failed"), issue: value }),
      );
      await expect(journal.get("bafybad"), why).rejects.toThrow(/journal record .*issue/);
    }
    const badTimes: [string, object][] = [
      ["rejectedAt", { rejectedAt: "yesterday" }],
      ["approvedAt", { approvedAt: 42 }],
      ["state", { state: "finished" }],
    ];
    for (const [field, fields] of badTimes) {
      await writeFile(
        join(dataDir, "journal", "bafybad.json"),
        JSON.stringify({ ...record("bafybad", "failed"), ...fields }),
      );
      await expect(journal.get("bafybad"), field).rejects.toThrow(new RegExp(field.slice(0, 5)));
    }
  });
});
