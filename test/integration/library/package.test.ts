import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { connect, type KuboNode, startKubo } from "../../helpers/kubo.js";
import { testPublish } from "../../helpers/nomad-builders/index.js";
import { packageImportGraph } from "./import-graph.js";

const exec = promisify(execFile);
const root = join(import.meta.dirname, "../../..");
const EXAMPLES = ["review-patch.mjs", "propose-project-change.mjs"];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The package as a user gets it: packed with `npm pack`, installed from the tarball into a scratch project
 * outside the repository (from the npm cache, offline), and used through its public entries only: the
 * guide's two examples (docs/library.md) run there against real Kubo nodes.
 */
describe("the packed library, installed in a project of its own", () => {
  let scratch: string;
  let operator: KuboNode;
  let contributor: KuboNode;
  const installed = () => join(scratch, "node_modules/nomad-patch");

  /** Runs node in the scratch project, as the project's own code would. */
  async function node(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
    try {
      const { stdout, stderr } = await exec(process.execPath, args, {
        cwd: scratch,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    expect(existsSync(join(root, "lib/index.js")), "lib/ is missing: run `npm run build`").toBe(true);
    scratch = await mkdtemp(join(tmpdir(), "nomad-patch-user-"));
    [operator, contributor] = await Promise.all([startKubo(), startKubo(), installPackage(scratch)]);
    await connect(operator, contributor);
    await Promise.all(
      EXAMPLES.map((name) => copyFile(join(root, "docs/examples", name), join(scratch, name))),
    );
  }, 180_000);
  afterAll(async () => {
    await Promise.all([operator?.stop(), contributor?.stop()]);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("runs the guide's examples: propose a change to a WindowsAppCommunity project, then review it as JSON", async () => {
    const project = await createNomadObject(
      { store: operator.store },
      { module: "wac-project", name: "library-app", publish: testPublish },
    );
    const target = project.keys.roaming.id;

    const proposed = await node(["propose-project-change.mjs", target, "Library App"], {
      KUBO_API_URL: contributor.apiUrl,
    });
    expect(proposed.code, proposed.stderr).toBe(0);
    const key = proposed.stdout.trim();
    expect(key).toMatch(/^k51\w+$/);

    const reviewed = await node(["review-patch.mjs", key], { KUBO_API_URL: operator.apiUrl });
    expect(reviewed.code, reviewed.stderr).toBe(0);
    const review = JSON.parse(reviewed.stdout);
    expect(review.patch).toMatchObject({ key, title: "Rename the project to Library App" });
    expect(review.target).toMatchObject({ id: target, module: "wac-project", canApply: true });
    expect(review.refusals).toEqual([]);
    expect(review.entries.map((e: { eventId: string }) => e.eventId)).toEqual([
      "UpdateNameAsync",
      "AddFeatureAsync",
    ]);
    expect(review.after).toMatchObject({ Name: "Library App", Features: ["Works offline"] });
  });

  it("shows the guide the examples it runs, word for word", async () => {
    const guide = await readFile(join(root, "docs/library.md"), "utf8");
    for (const name of EXAMPLES) {
      expect(guide).toContain((await readFile(join(root, "docs/examples", name), "utf8")).trim());
    }
  });

  it("refuses an import of an internal path, and gives the three public entries", async () => {
    const internal = await node([
      "--input-type=module",
      "-e",
      'await import("nomad-patch/lib/service/apply-patch.js")',
    ]);
    expect(internal.code).not.toBe(0);
    expect(internal.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    const entries = await node([
      "--input-type=module",
      "-e",
      [
        'const main = await import("nomad-patch");',
        'const nomad = await import("nomad-patch/nomad");',
        'const app = await import("nomad-patch/app");',
        "console.log(JSON.stringify([typeof main.reviewPatch, typeof nomad.crawlSources, typeof app.default]));",
      ].join("\n"),
    ]);
    expect(entries.code, entries.stderr).toBe(0);
    expect(JSON.parse(entries.stdout)).toEqual(["function", "function", "function"]);
  });

  it("has nothing of Probot in the import graph of `nomad-patch` and `nomad-patch/nomad`", async () => {
    for (const entry of ["lib/index.js", "lib/nomad/index.js"]) {
      const graph = await packageImportGraph(installed(), entry, join(scratch, "node_modules"));
      expect(graph.files.length).toBeGreaterThan(10);
      expect(graph.files.filter((file) => file.startsWith("lib/app/"))).toEqual([]);
      expect(graph.packages.filter((name) => /(^|\/)probot$|^@probot\//.test(name))).toEqual([]);
    }
    // The walk does find Probot where it is: the app's server, which runs Probot's own.
    const server = await packageImportGraph(installed(), "lib/app/main.js", join(scratch, "node_modules"));
    expect(server.packages).toContain("probot");
  });
});

/**
 * `npm pack` of the repository (its built lib/), then `npm ci --offline` of the tarball in `dir`: the
 * scratch project's lockfile is the repository's, less its development packages, so every dependency comes
 * from the npm cache that installed the repository, at the versions it pins.
 */
async function installPackage(dir: string): Promise<void> {
  const npm = (args: readonly string[], cwd: string) =>
    exec("npm", [...args], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const { stdout } = await npm(["pack", "--silent", "--pack-destination", dir], root);
  const tarball = stdout.trim().split("\n").at(-1) ?? "";
  expect(tarball).toMatch(/^nomad-patch-\d+\.\d+\.\d+\.tgz$/);
  const lock = JSON.parse(await readFile(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean; link?: boolean } & Record<string, unknown>>;
  };
  const self = lock.packages[""] ?? {};
  const dependency = { "nomad-patch": `file:${tarball}` };
  const packages: Record<string, unknown> = {
    "": { name: "scratch", dependencies: dependency },
    "node_modules/nomad-patch": {
      version: self.version,
      resolved: `file:${tarball}`,
      license: self.license,
      dependencies: self.dependencies,
      bin: self.bin,
      engines: self.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path.startsWith("node_modules/") && !entry.dev && !entry.link) packages[path] = entry;
  }
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "scratch", private: true, type: "module", dependencies: dependency }),
  );
  await writeFile(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: "scratch", lockfileVersion: 3, requires: true, packages }),
  );
  await npm(["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], dir);
}
