import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { pubsubConfig } from "../pair/pair-room.js";
import { runCli } from "./run-cli.js";

const TARGET = "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8";
// A peer id nobody runs: the holder this side waits for never comes, so the wait ends at --timeout.
const ABSENT_HOLDER = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";

// What `pair receive` prints as it joins the room, with and without the holder named (`--from`).
describe("pair receive, waiting in the room", () => {
  let node: KuboNode;
  let dataDir: string;
  beforeAll(async () => {
    [node, dataDir] = await Promise.all([
      startKubo({ config: pubsubConfig }),
      mkdtemp(join(tmpdir(), "nomad-patch-pair-waiting-")),
    ]);
  });
  afterAll(async () => {
    await node?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const receive = (...extra: string[]) =>
    runCli([
      ...["--kubo", node.apiUrl, "--data-dir", dataDir, "pair", "receive", "--module", "storage"],
      ...["--name", "Docs", "--code", "room1234-abcdefghijklmnopqrstuvwxyz", "--timeout", "1", ...extra],
    ]);

  it("without --from, tells the holder how to name this node, with the --target given", async () => {
    const bare = await receive();
    expect(bare.code, bare.stderr).toBe(75);
    expect(bare.stderr).toContain(
      `This node is peer ${node.peerId}: the holder can name it with \`pair send <target> --peer ${node.peerId}\`.`,
    );
    const targeted = await receive("--target", TARGET);
    expect(targeted.code, targeted.stderr).toBe(75);
    expect(targeted.stderr).toContain(
      `the holder can name it with \`pair send ${TARGET} --peer ${node.peerId}\`.`,
    );
  });

  it("with --from, says whom it waits for and does not send the holder back to `pair send`", async () => {
    const run = await receive("--from", ABSENT_HOLDER, "--target", TARGET);
    expect(run.code, run.stderr).toBe(75);
    expect(run.stderr).toContain(
      `This node is peer ${node.peerId}; waiting for the holder, peer ${ABSENT_HOLDER}, in the room.`,
    );
    expect(run.stderr).not.toContain("pair send");
    expect(run.stderr).not.toContain("can name it");
  });
});
