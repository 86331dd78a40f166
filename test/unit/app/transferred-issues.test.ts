import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { otherIssue } from "../../../src/app/github/issue-github.js";
import { createTransferredIssues } from "../../../src/app/transferred-issues.js";

const ref = { owner: "Codertocat", repo: "Hello-World", issueNumber: 5 };

describe("otherIssue: whether GitHub answered with the issue asked for", () => {
  it("is undefined for the issue itself, whatever the case of its names", () => {
    expect(otherIssue(ref, 5, "https://api.github.com/repos/Codertocat/Hello-World")).toBeUndefined();
    expect(otherIssue(ref, 5, "https://api.github.com/repos/codertocat/hello-world/")).toBeUndefined();
    expect(otherIssue(ref, 5, undefined)).toBeUndefined();
  });

  it("names the issue a redirect led to: another repository, or another number", () => {
    expect(otherIssue(ref, 7, "https://api.github.com/repos/Codertocat/New-Home")).toBe(
      "Codertocat/New-Home#7",
    );
    expect(otherIssue(ref, 5, "https://api.github.com/repos/Other/Hello-World")).toBe("Other/Hello-World#5");
    expect(otherIssue(ref, 9, undefined)).toBe("Codertocat/Hello-World#9");
  });
});

describe("createTransferredIssues", () => {
  it("remembers lanes, and forgets the oldest first past its bound", () => {
    const moved = createTransferredIssues(2);
    moved.add("a/b#1");
    moved.add("a/b#2");
    expect([moved.has("a/b#1"), moved.has("a/b#2"), moved.has("a/b#3")]).toEqual([true, true, false]);
    moved.add("a/b#3");
    expect([moved.has("a/b#1"), moved.has("a/b#2"), moved.has("a/b#3")]).toEqual([false, true, true]);
  });

  it("stays within its bound under 1,000 transfers", () => {
    const moved = createTransferredIssues(10);
    for (let i = 0; i < 1_000; i += 1) moved.add(`a/b#${i}`);
    const kept = Array.from({ length: 1_000 }, (_, i) => moved.has(`a/b#${i}`)).filter(Boolean);
    expect(kept).toHaveLength(10);
    expect(moved.has("a/b#999")).toBe(true);
  });
});

describe("createTransferredIssues on a file", () => {
  it("keeps its lanes for the next process, within its bound, and discards a file it did not write", async () => {
    const dir = await mkdtemp(join(tmpdir(), "nomad-patch-transferred-"));
    const file = join(dir, "transferred-issues.json");
    try {
      const first = createTransferredIssues({ file, max: 3 });
      for (let i = 1; i <= 5; i += 1) await first.add(`a/b#${i}`);
      const next = createTransferredIssues({ file, max: 3 });
      expect([1, 2, 3, 4, 5].map((i) => next.has(`a/b#${i}`))).toEqual([false, false, true, true, true]);

      const logs: string[] = [];
      for (const text of ["{ not json", '{"v":1,"lanes":["a/b#1 and more"]}', "x".repeat(4096)]) {
        await writeFile(file, text);
        const damaged = createTransferredIssues({ file, max: 3, log: (line) => logs.push(line) });
        expect(damaged.has("a/b#1")).toBe(false);
      }
      expect(logs).toEqual([
        expect.stringContaining("corrupt: discarded"),
        expect.stringContaining("corrupt: discarded"),
        expect.stringContaining("too large: discarded"),
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
