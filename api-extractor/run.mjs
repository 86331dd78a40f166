// The API reports of the three public entries (docs/api/*.api.md), from the built declarations in lib/.
// `node api-extractor/run.mjs` fails when a report differs from what the declarations give (the public API
// changed and the report was not regenerated); `--update` rewrites the reports. One process for the three,
// so API Extractor and its TypeScript load once.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";

const here = dirname(fileURLToPath(import.meta.url));
const update = process.argv.includes("--update");
let failed = false;
for (const name of ["nomad-patch", "nomad-patch-nomad", "nomad-patch-app"]) {
  const config = ExtractorConfig.loadFileAndPrepare(join(here, `${name}.json`));
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (!result.succeeded) failed = true;
  if (result.apiReportChanged && !update)
    console.error(`docs/api/${name}.api.md is out of date: run \`npm run api:update\` and commit it`);
}
process.exit(failed ? 1 : 0);
