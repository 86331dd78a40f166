import { defineConfig } from "vitest/config";

/** `npm run test:record-slowest` only: rewrites test/slowest-files.json; never part of the suite. */
export default defineConfig({
  test: { include: ["test/record/*.record.ts"], environment: "node" },
});
