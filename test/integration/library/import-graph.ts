import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

export interface ImportGraph {
  /** The package's own files an entry loads, relative to the package (`lib/service/apply-patch.js`). */
  readonly files: string[];
  /** Every package those files import, and everything those packages depend on, by name. */
  readonly packages: string[];
}

const SPECIFIERS = [
  /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/**
 * What loading `entry` of the installed package at `packageDir` can load: its own compiled files, followed
 * through their static and dynamic imports, and the closure of the packages they import over the
 * dependencies declared in `nodeModules`. Wider than what Node loads (a dependency declared is counted even
 * if unused), so "Probot is not in it" is a safe claim.
 */
export async function packageImportGraph(
  packageDir: string,
  entry: string,
  nodeModules: string,
): Promise<ImportGraph> {
  const files = new Set<string>();
  const bare = new Set<string>();
  const queue = [join(packageDir, entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of specifiersIn(await readFile(file, "utf8"))) {
      if (specifier.startsWith("node:")) continue;
      if (specifier.startsWith(".")) {
        const target = join(dirname(file), specifier);
        if (!existsSync(target)) throw new Error(`${file} imports ${specifier}, which is not in the package`);
        queue.push(target);
      } else bare.add(packageName(specifier));
    }
  }
  return {
    files: [...files].map((file) => relative(packageDir, file)).sort(),
    packages: [...(await dependencyClosure(bare, nodeModules))].sort(),
  };
}

function specifiersIn(code: string): string[] {
  // Comments may show example imports; they load nothing.
  const text = code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1] ?? ""));
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

async function dependencyClosure(names: Iterable<string>, nodeModules: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...names].map((name) => ({ name, from: nodeModules }));
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next.name)) continue;
    seen.add(next.name);
    // npm nests a package under its dependent only when the hoisted version does not fit.
    const nested = join(next.from, next.name, "package.json");
    const manifest = existsSync(nested) ? nested : join(nodeModules, next.name, "package.json");
    if (!existsSync(manifest)) continue; // an optional or peer dependency that is not installed
    const json = JSON.parse(await readFile(manifest, "utf8")) as Record<string, Record<string, string>>;
    const from = join(dirname(manifest), "node_modules");
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies"]) {
      for (const name of Object.keys(json[field] ?? {})) queue.push({ name, from });
    }
  }
  return seen;
}
