import { describe, expect, it } from "vitest";
import { MAX_COMMANDS_PER_COMMENT, parseCommands } from "../../../src/policy/index.js";
import { buildConfig } from "./build-config.js";

const kinds = (body: string) => parseCommands(body).map((command) => command.kind);

describe("parseCommands", () => {
  it("finds each command alone on its line, with its line number", () => {
    const body = "Looks good to me.\n\n/apply\n";
    expect(parseCommands(body)).toEqual([{ kind: "apply", name: "/apply", args: "", line: 3 }]);
    expect(kinds("/approve")).toEqual(["apply"]);
    expect(kinds("/hold\r\n/refresh\r\n")).toEqual(["hold", "refresh"]);
    expect(kinds("   /apply   ")).toEqual(["apply"]);
  });

  it("gives /reject the rest of its line as the reason", () => {
    expect(parseCommands("/reject  this rewrites history  ")).toEqual([
      { kind: "reject", name: "/reject", args: "this rewrites history", line: 1 },
    ]);
    expect(parseCommands("/reject")[0]?.args).toBe("");
    expect(parseCommands(`/reject ${"x".repeat(2000)}`)[0]?.args).toHaveLength(500);
  });

  it("takes `/apply` naming revisions or CID prefixes, one or several, and nothing else after it", () => {
    const args = (body: string) => parseCommands(body).map((command) => command.args);
    expect(args("/apply r2")).toEqual(["r2"]);
    expect(args("/apply R12")).toEqual(["R12"]);
    expect(args("/apply r99999999999")).toEqual(["r99999999999"]);
    expect(args("/apply r1 r2")).toEqual(["r1 r2"]);
    expect(args("/apply bafyreiabcdef r2")).toEqual(["bafyreiabcdef r2"]);
    expect(kinds("/apply r")).toEqual([]);
    expect(kinds("/apply r2 please")).toEqual([]);
    expect(kinds("/apply r-1")).toEqual([]);
    expect(kinds(`/apply ${Array.from({ length: 11 }, (_, i) => `r${i + 1}`).join(" ")}`)).toEqual([]);
  });

  it("ignores commands that are part of a sentence", () => {
    expect(kinds("Please /apply this")).toEqual([]);
    expect(kinds("/apply is the command to use")).toEqual([]);
    expect(kinds("/hold on, let me look")).toEqual([]);
    expect(kinds("- /apply")).toEqual([]);
    expect(kinds("`/apply`")).toEqual([]);
    expect(kinds("/applying")).toEqual([]);
    expect(kinds("/unknown")).toEqual([]);
  });

  it("ignores quoted lines: quoting a command is not giving it", () => {
    expect(kinds("> /apply\n")).toEqual([]);
    expect(kinds(">/apply")).toEqual([]);
    expect(kinds("  > > /apply")).toEqual([]);
  });

  it("ignores lines in fenced and indented code", () => {
    expect(kinds("```\n/apply\n```")).toEqual([]);
    expect(kinds("~~~markdown\n/apply\n~~~\n/hold")).toEqual(["hold"]);
    expect(kinds("````\n```\n/apply\n```\n````\n/refresh")).toEqual(["refresh"]);
    expect(kinds("```\n/apply\n~~~\n/apply")).toEqual([]);
    expect(kinds("```sh\n/apply")).toEqual([]);
    expect(kinds("    /apply")).toEqual([]);
    expect(kinds("\t/apply")).toEqual([]);
  });

  it("does not mistake inline code for a fence", () => {
    expect(kinds("```code``` and more\n/apply")).toEqual(["apply"]);
  });

  it("ignores HTML comments, which readers cannot see", () => {
    expect(kinds("<!--\n/apply\n-->\n/hold")).toEqual(["hold"]);
    expect(kinds("<!-- /apply -->")).toEqual([]);
    expect(kinds("<!-- open\n/apply")).toEqual([]);
  });

  it("matches names without regard to case", () => {
    expect(parseCommands("/Apply")).toEqual([{ kind: "apply", name: "/apply", args: "", line: 1 }]);
    expect(kinds("/REJECT no")).toEqual(["reject"]);
  });

  it("uses the configured names and leaves out turned-off commands", () => {
    const { commands } = buildConfig({ commands: { apply: ["/ship", "/lgtm"], hold: false } });
    expect(
      parseCommands("/apply\n/ship\n/LGTM\n/hold\n/refresh", commands).map((command) => command.kind),
    ).toEqual(["apply", "apply", "refresh"]);
  });

  it("reads at most a bounded number of commands from one comment", () => {
    expect(parseCommands("/refresh\n".repeat(1000))).toHaveLength(MAX_COMMANDS_PER_COMMENT);
  });

  it("answers nothing for an empty or missing body", () => {
    expect(parseCommands("")).toEqual([]);
    expect(parseCommands(null as unknown as string)).toEqual([]);
  });
});

describe("parseCommands reads the comment as GitHub renders it", () => {
  it("ignores a line that lazily continues a quote: GitHub renders it inside the quote", () => {
    expect(kinds("> LGTM\n/apply")).toEqual([]);
    expect(kinds("> I would\n> say\n/apply\n/refresh")).toEqual([]);
    expect(kinds("> quoted\n\n/apply")).toEqual(["apply"]);
    expect(kinds(">\n/apply")).toEqual(["apply"]);
    expect(kinds("> ```\n/apply")).toEqual(["apply"]);
  });

  it("ignores a line that lazily continues a list item", () => {
    expect(kinds("- fixed the title\n/apply")).toEqual([]);
    expect(kinds("1. first\n/apply")).toEqual([]);
    expect(kinds("- item\n\n/apply")).toEqual(["apply"]);
  });

  it("ignores lines inside <pre> and other HTML blocks", () => {
    expect(kinds("<pre>\n/apply\n</pre>\n\n/hold")).toEqual(["hold"]);
    expect(kinds("<PRE class='x'>\n/apply\n</PRE>\n/refresh")).toEqual(["refresh"]);
    expect(kinds("<pre>\n\n/apply\n\n</pre>")).toEqual([]);
    expect(kinds("<textarea>\n/apply\n</textarea>")).toEqual([]);
    expect(kinds("<div>\n/apply\n</div>")).toEqual([]);
    expect(kinds("<div>\n\n/apply")).toEqual(["apply"]);
    expect(kinds("<span>\n/apply")).toEqual([]);
    expect(kinds("text\n<span>\n/apply")).toEqual(["apply"]);
  });

  it("ignores a line that a setext underline turns into a heading", () => {
    expect(kinds("/apply\n---")).toEqual([]);
    expect(kinds("/apply\n===")).toEqual([]);
    expect(kinds("/apply\n   ----   ")).toEqual([]);
    expect(kinds("/apply\n/refresh\n=")).toEqual([]);
    expect(kinds("/apply\n\n---")).toEqual(["apply"]);
    expect(kinds("/apply\n- - -")).toEqual(["apply"]);
    expect(kinds("/apply\n> quote\n---")).toEqual(["apply"]);
  });

  it("ignores a line that a table delimiter row turns into a table header", () => {
    expect(kinds("/apply\n|---|")).toEqual([]);
    expect(kinds("/apply\n:---|")).toEqual([]);
  });

  it("still reads a command under a plain line of prose, as GitHub shows it on its own line", () => {
    expect(kinds("LGTM\n/apply")).toEqual(["apply"]);
    expect(kinds("# Review\n/apply")).toEqual(["apply"]);
    expect(kinds("```\ncode\n```\n/apply")).toEqual(["apply"]);
  });

  it("gives /apply one version argument, a CID or key prefix of at least 8 characters", () => {
    expect(parseCommands("/apply bafyreiabc123")).toEqual([
      { kind: "apply", name: "/apply", args: "bafyreiabc123", line: 1 },
    ]);
    expect(parseCommands("/approve   k51qzi5uqu5d  ")[0]?.args).toBe("k51qzi5uqu5d");
    expect(kinds("/apply bafy")).toEqual([]);
    expect(kinds("/apply bafyreiabc123 please")).toEqual([]);
    expect(kinds("/apply `bafyreiabc123`")).toEqual([]);
    expect(kinds("/refresh bafyreiabc123")).toEqual([]);
  });
});
