import type { Session } from "node:inspector/promises";

interface SamplingNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

/**
 * V8's sampling heap profiler over `task`, counting objects the collector already freed too: what a stretch
 * of work allocates, not what it keeps (garbage is what the collector's pauses are made of).
 */
export async function allocationsDuring<T>(
  session: Session,
  task: () => Promise<T>,
): Promise<{ result: T; head: SamplingNode }> {
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 64 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const result = await task();
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as {
    profile: { head: SamplingNode };
  };
  await session.post("HeapProfiler.disable");
  return { result, head: profile.head };
}

const OWN = /\/lib(?:-bench)?\/src\//;

/**
 * The largest allocators: by function (self size) and by the innermost frame of the project's own code on
 * the stack (the call that asked for the allocation, wherever the bytes were made).
 */
export function describeAllocations(head: SamplingNode, top: number): string {
  const byFunction = new Map<string, number>();
  const byOwn = new Map<string, number>();
  let total = 0;
  const label = (node: SamplingNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(lib(?:-bench)?\/|node_modules\/)/, "$1");
    return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
  };
  const walk = (node: SamplingNode, own: string) => {
    const here = OWN.test(node.callFrame.url) ? label(node) : own;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const name = label(node);
      byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
      byOwn.set(here, (byOwn.get(here) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, "(outside nomad-patch)");
  const MIB = 1024 * 1024;
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => `  ${(bytes / MIB).toFixed(1).padStart(7)} MiB  ${name}`)
      .join("\n");
  return `allocated ${(total / MIB).toFixed(0)} MiB (sampled)\nby function:\n${list(byFunction)}\nby nomad-patch's innermost frame:\n${list(byOwn)}`;
}
