// The API reports of the three public entries (docs/api/*.api.md), from declarations emitted here from the
// sources. `node api-extractor/run.mjs` fails when a report differs from what the declarations give (the
// public API changed and the report was not regenerated); `--update` rewrites the reports. One process for
// the three, so API Extractor and its TypeScript load once.
//
// The declarations are emitted into `api-extractor/declarations/` each run rather than read from `lib/`: on
// a fresh clone `lib/` does not exist, and a `lib/` built before the last change to the sources would report
// a difference that is not there, or hide one that is.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const update = process.argv.includes("--update");
const declarations = join(here, "declarations");

rmSync(declarations, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const emitted = spawnSync(
  process.execPath,
  [
    tsc,
    ...["-p", join(root, "tsconfig.build.json"), "--outDir", declarations],
    ...["--emitDeclarationOnly", "--declarationMap", "false", "--sourceMap", "false"],
  ],
  { stdio: "inherit" },
);
if (emitted.status !== 0) {
  console.error("api: the sources' declarations could not be emitted (the TypeScript errors are above)");
  process.exit(1);
}

let failed = false;
for (const name of ["nomad-patch", "nomad-patch-nomad", "nomad-patch-app"]) {
  const config = ExtractorConfig.loadFileAndPrepare(join(here, `${name}.json`));
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (!result.succeeded) failed = true;
  if (result.apiReportChanged && !update)
    console.error(`docs/api/${name}.api.md is out of date: run \`npm run api:update\` and commit it`);
}
process.exit(failed ? 1 : 0);
