// Review a patch request against its target, as this node sees it, and print the JSON review
// (docs/json-output.md). Usage: node review-patch.mjs <patch-key>
// KUBO_API_URL names the Kubo node's RPC API (default http://127.0.0.1:5001).
import { KuboStore, renderReviewJson, reviewPatch } from "nomad-patch";
import { parseIpnsName } from "nomad-patch/nomad";

const key = parseIpnsName(process.argv[2] ?? "", "patch request key");
const store = new KuboStore({ apiUrl: process.env.KUBO_API_URL ?? "http://127.0.0.1:5001" });
const { review } = await reviewPatch(
  { store },
  { key, limits: { maxEntries: 1_000, maxBytes: 64 * 1024 * 1024, resolveTimeoutMs: 30_000 } },
);
process.stdout.write(renderReviewJson(review));
