// Propose a change to a WindowsAppCommunity project that this node only reads: a new name and one more
// feature, written as the project's own app writes them. Prints the patch request key to post.
// Usage: node propose-project-change.mjs <project-id> <new-name>
// KUBO_API_URL names the Kubo node's RPC API (default http://127.0.0.1:5001).
import { KuboStore, proposePatch } from "nomad-patch";

const [target = "", name = ""] = process.argv.slice(2);
const store = new KuboStore({ apiUrl: process.env.KUBO_API_URL ?? "http://127.0.0.1:5001" });
const proposed = await proposePatch(
  { store },
  {
    target,
    title: `Rename the project to ${name}`,
    description: "The old name collides with another app's.",
    changes: {
      kind: "values",
      operations: [
        { op: "set", field: "Name", value: name },
        { op: "add", field: "Features", value: "Works offline" },
      ],
    },
  },
);
console.log(proposed.key);
