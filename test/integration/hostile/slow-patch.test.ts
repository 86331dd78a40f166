import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReviewMarkdown } from "../../../src/render/index.js";
import { reviewPatch } from "../../../src/service/review-patch.js";
import { type KuboNode, startKubo } from "../../helpers/kubo.js";
import { type BuiltTarget, createProjectTarget, proposePatch } from "../../helpers/nomad-builders/index.js";

/** The app's default budgets for one review (`src/policy/config-schema.ts`). */
const LIMITS = { maxEntries: 1000, maxBytes: 16 * 1024 * 1024, resolveTimeoutMs: 30_000 };

/**
 * A value built to cost the review: `depth` maps nested in one another, the innermost with `keys` keys
 * whose names sort late and alike (canonical JSON sorts every map), each holding a short string.
 */
function costlyValue(seed: number, depth: number, keys: number): unknown {
  const inner: Record<string, string> = {};
  for (let i = 0; i < keys; i++) inner[`ẞ${"é".repeat(8)}${(keys - i).toString(36)}-${seed}`] = `v${i}`;
  let value: unknown = inner;
  for (let d = 0; d < depth; d++) value = { [`l${d}`]: value, n: [d, `${seed}`] };
  return value;
}

/**
 * A patch of 70 entries aimed at this version's review: every entry's value a block of 2,000 keys under 60
 * levels of maps (about 70 × 90 KB), which the C# replay of a project refuses and the review must still
 * read, compare and show. It must end within its budgets with a clear refusal per entry, while the process
 * goes on answering: requests to a server on this loop, sent one after another once the review began, are
 * answered before the review ends.
 */
describe("a hostile patch of 70 costly entries", () => {
  let node: KuboNode;
  let target: BuiltTarget;
  let server: Server;
  beforeAll(async () => {
    node = await startKubo();
    target = await createProjectTarget(node, { knownId: "slow", name: "Slow" });
    server = createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await node?.stop();
  });

  it("is refused entry by entry within the review's budgets, and the event loop answers meanwhile", async () => {
    const entries = [];
    for (let i = 0; i < 70; i++) {
      const value = await node.store.dagPut(costlyValue(i, 60, 2_000));
      entries.push({
        eventId: i % 2 === 0 ? "UpdateDescriptionAsync" : "AddFeatureAsync",
        content: { Key: null, Value: value, Unset: false },
      });
    }
    const patch = await proposePatch(node, { target: target.id, title: "Costly", entries });

    const { port } = server.address() as AddressInfo;
    // What happened, in order: each read from Kubo settled, each round trip to the server, the review's end.
    const order: string[] = [];
    const store = new Proxy(node.store, {
      get(inner, name) {
        const value = Reflect.get(inner, name, inner);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const out = value.apply(inner, args);
          if (out instanceof Promise) return out.finally(() => order.push("io"));
          return out;
        };
      },
    });
    let done = false;
    const review = reviewPatch({ store }, { key: patch.key, limits: LIMITS }).finally(() => {
      done = true;
      order.push("review");
    });
    // One request after another while the review runs: each is answered only when the loop gets a turn.
    const roundTrip = () =>
      new Promise<void>((resolve, reject) => {
        request({ host: "127.0.0.1", port, path: "/" }, (res) => {
          res.resume();
          res.on("end", resolve);
        })
          .on("error", reject)
          .end();
      });
    const trips = (async () => {
      for (let i = 0; i < 100_000 && !done; i++) {
        await roundTrip();
        if (!done) order.push("answered");
      }
    })();
    const { review: result } = await review;
    await trips;
    // The server answered while the review ran, between its reads and its own work on what it read.
    const end = order.indexOf("review");
    expect(order.slice(0, end).filter((e) => e === "answered").length).toBeGreaterThan(0);
    // Its reads from Kubo are bounded by what the patch holds: a few per entry (the entry, its event, its value).
    expect(order.slice(0, end).filter((e) => e === "io").length).toBeLessThanOrEqual(4 * 70 + 50);

    // Every entry is named in a refusal: a C# device could not replay it.
    expect(result.entries).toHaveLength(70);
    expect(new Set(result.refusals.map((r) => r.entryIndex))).toEqual(new Set(entries.keys()));
    expect(result.refusals.every((r) => r.message.startsWith(`Entry ${r.entryIndex} `))).toBe(true);
    expect(result.after).toEqual(result.before);
    // What GitHub is shown stays within one comment.
    expect(renderReviewMarkdown(result).length).toBeLessThanOrEqual(65_536);
  });
});
