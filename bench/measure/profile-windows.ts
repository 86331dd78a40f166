import type { Stall } from "./stalls.js";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

export interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Frames of the project's own code, the places a yield could go. */
const OWN = /\/lib(?:-bench)?\/src\//;

/**
 * What ran while the event loop was stalled: the profile's samples inside the stall windows, by function (self
 * time) and by the innermost frame of the project's own code on the stack (where the long stretch is called).
 */
export function attributeStalls(profile: Profile, stalls: readonly Stall[], top: number): string {
  const longest = [...stalls].sort((a, b) => b.endUs - b.startUs - (a.endUs - a.startUs));
  const each = longest
    .slice(0, 3)
    .map(
      (stall) =>
        `\n\n== stall of ${((stall.endUs - stall.startUs) / 1000).toFixed(0)} ms\n${attribute(profile, [stall], 8)}`,
    )
    .join("");
  return `${attribute(profile, stalls, top)}${each}`;
}

/** The same attribution over the whole profile: what a review's CPU time went to, by project frame. */
export function attributeWhole(profile: Profile, top: number): string {
  return attribute(profile, [{ startUs: profile.startTime, endUs: Number.POSITIVE_INFINITY }], top);
}

/** The same attribution inside given windows (the reviews alone, without what ran between them). */
export function attributeWindows(profile: Profile, windows: readonly Stall[], top: number): string {
  return attribute(profile, windows, top);
}

function attribute(profile: Profile, stalls: readonly Stall[], top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || "(anonymous)"} ${url.replace(/^.*?\/(node_modules|lib-bench|lib)\//, "$1/")}:${lineNumber + 1}`;
  };
  const ownFrame = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node && OWN.test(node.callFrame.url)) return label(node);
    }
    return "(no project frame)";
  };
  const self = new Map<string, number>();
  const own = new Map<string, number>();
  let inStalls = 0;
  const sorted = [...stalls].sort((a, b) => a.startUs - b.startUs);
  let at = profile.startTime;
  let s = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    while (s < sorted.length && sorted[s]!.endUs < at) s++;
    const stall = sorted[s];
    if (!stall || at < stall.startUs) return;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    inStalls += dt;
    self.set(label(node), (self.get(label(node)) ?? 0) + dt);
    const where = ownFrame(id);
    own.set(where, (own.get(where) ?? 0) + dt);
  });
  const show = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`)
      .join("\n");
  const longest = [...stalls]
    .sort((a, b) => b.endUs - b.startUs - (a.endUs - a.startUs))
    .slice(0, 10)
    .map((x) => ((x.endUs - x.startUs) / 1000).toFixed(0))
    .join(", ");
  return `samples in stalls: ${(inStalls / 1000).toFixed(0)} ms; longest stalls (ms): ${longest}\n\nby function (self)\n${show(self)}\n\nby innermost project frame\n${show(own)}`;
}
