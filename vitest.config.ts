import { defineConfig } from "vitest/config";
import { SlowestFirst } from "./test/helpers/slowest-first.js";

/** Integration files that mock a module with `vi.mock`, which in a shared process would reach other files. */
const MOCKING_FILES = [
  "test/integration/app/ack-path.test.ts",
  "test/integration/app/disk-queue-deliveries.test.ts",
];

const integration = {
  environment: "node",
  // Real Kubo daemons: starting one takes about a second, a cold fetch more.
  testTimeout: 60_000,
  hookTimeout: 120_000,
  // Four workers on two cores: most of an integration file's time is spent waiting (for daemons, pubsub
  // heartbeats, timeouts a test runs out on purpose), and a worker that waits holds its slot, so two workers
  // left the cores half idle. Four passed the same tests in three quarters of the time at the same CPU
  // (docs/decisions.md, "Tests: four integration workers on two cores").
  maxWorkers: 4,
  sequence: { groupOrder: 1 },
  globalSetup: ["test/helpers/global-setup.ts"],
};

export default defineConfig({
  test: {
    // The slowest files first, so that no worker is left alone with one at the end.
    sequence: { sequencer: SlowestFirst },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // A bound on a hung test, not a speed check: the property tests run hundreds of cases each and
          // take several seconds on two busy cores (CI runs the suite twice, under two Node versions).
          testTimeout: 30_000,
          // Vitest's default is one worker fewer than the cores: one worker on CI's two. The pure tests use
          // no daemon and keep both cores busy.
          maxWorkers: 2,
          // Fast pure tests first, then the daemons.
          sequence: { groupOrder: 0 },
          // One worker process runs many files and keeps the modules they import: the pure tests keep no
          // state between files, and a fresh process per file cost three quarters of this project's CPU
          // (docs/decisions.md, "CI: what a suite costs").
          isolate: false,
          setupFiles: ["test/helpers/shared-worker-guard.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // These replace `node:fs` for their whole file with `vi.mock`: they get processes of their own.
          exclude: [...MOCKING_FILES],
          ...integration,
          // As the unit project: one worker process runs many files and keeps the modules they import
          // (docs/decisions.md, "CI: what a suite costs").
          isolate: false,
          setupFiles: ["test/helpers/shared-worker-guard.ts"],
        },
      },
      {
        test: {
          name: "integration-isolated",
          include: [...MOCKING_FILES],
          ...integration,
          // In the shared project's group: one pool of four workers runs both projects' files, so these two
          // run beside the shared files instead of after all of them, on workers of their own.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
