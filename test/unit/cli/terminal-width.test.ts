import { describe, expect, it } from "vitest";
import type { CliIo } from "../../../src/cli/io.js";
import { terminalWidth } from "../../../src/cli/terminal-width.js";
import { UsageError } from "../../../src/errors.js";

function io(stdout: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv = {}): CliIo {
  return {
    stdout: { write: () => true, ...stdout },
    stderr: { write: () => true },
    env,
    cwd: "/",
  };
}

describe("the width of the terminal text", () => {
  it("is the terminal's width on a terminal, whatever it is", () => {
    expect(terminalWidth(io({ isTTY: true, columns: 213 }))).toBe(213);
    expect(terminalWidth(io({ isTTY: true, columns: 90 }))).toBe(90);
  });

  it("is 100 in a pipe or a file", () => {
    expect(terminalWidth(io({ columns: 213 }))).toBe(100);
    expect(terminalWidth(io({}))).toBe(100);
  });

  it("follows an exported COLUMNS, and --width before it", () => {
    expect(terminalWidth(io({ isTTY: true, columns: 80 }, { COLUMNS: "160" }))).toBe(160);
    expect(terminalWidth(io({}, { COLUMNS: "160" }), "132")).toBe(132);
  });

  it("ignores a COLUMNS that is not a width, and keeps a tiny one readable", () => {
    expect(terminalWidth(io({}, { COLUMNS: "wide" }))).toBe(100);
    expect(terminalWidth(io({}, { COLUMNS: "" }))).toBe(100);
    expect(terminalWidth(io({}, { COLUMNS: "12" }))).toBe(40);
  });

  it.each(["30", "abc", "80.5", "100000"])("refuses --width %s as a usage error", (width) => {
    expect(() => terminalWidth(io({}), width)).toThrow(UsageError);
  });
});
