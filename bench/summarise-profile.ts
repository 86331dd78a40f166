import { readFileSync } from "node:fs";
import { attributeWhole, attributeWindows, type Profile as TimedProfile } from "./measure/profile-windows.js";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  /** When the reviews ran (`profile-review.js` cold and warm), on the profile's clock. */
  readonly windows?: readonly { readonly startUs: number; readonly endUs: number }[];
  /** With `--trace`: each review from its last export's end to its answer. */
  readonly tails?: readonly { readonly startUs: number; readonly endUs: number }[];
}

/**
 * `node lib-bench/bench/summarise-profile.js FILE.cpuprofile [top] [--own]`: self time by function and by
 * package; `--own` adds the time by the innermost frame of nomad-patch's own code on the stack (the
 * project's function that called the library or runtime code where the time went), and, for a profile
 * that says when its reviews ran, the same inside the reviews alone (not the cache's close after each).
 */
const [file, topArg = "25"] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
if (!file) throw new Error("usage: summarise-profile FILE.cpuprofile [top]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const dt = profile.timeDeltas[i] ?? 0;
  if (!node) return;
  total += dt;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\/.*?\/(node_modules|lib-bench)\//, "$1/");
  const key = `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const pkg =
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.includes("lib-bench") ? "nomad-patch" : url ? "node" : functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
});
const show = (map: Map<string, number>, n: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([k, v]) =>
        `${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    )
    .join("\n");
process.stdout.write(
  `total ${(total / 1000).toFixed(0)} ms\n\nby package\n${show(byPackage, 15)}\n\nby function (self)\n${show(self, Number(topArg))}\n`,
);
if (process.argv.includes("--own"))
  process.stdout.write(
    `\nby innermost nomad-patch frame\n${attributeWhole(profile as unknown as TimedProfile, Number(topArg)).split("by innermost project frame\n")[1] ?? ""}\n`,
  );
if (process.argv.includes("--own") && profile.windows && profile.windows.length > 0)
  process.stdout.write(
    `\ninside the ${profile.windows.length} reviews alone\n${attributeWindows(profile as unknown as TimedProfile, profile.windows, Number(topArg))}\n`,
  );
if (process.argv.includes("--own") && profile.tails && profile.tails.length > 0)
  process.stdout.write(
    `\nafter the last export of each of the ${profile.tails.length} reviews (their tails)\n${attributeWindows(profile as unknown as TimedProfile, profile.tails, Number(topArg))}\n`,
  );
