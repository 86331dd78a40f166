import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The modules of one compiled tree (`lib-bench` of a commit), imported by their path in it: an A/B script
 * runs several trees' code in turn in one process, over the same node and blocks.
 */
export function compiledTree(tree: string): <T>(path: string) => Promise<T> {
  return async <T>(path: string) => (await import(pathToFileURL(resolve(tree, path)).href)) as T;
}
