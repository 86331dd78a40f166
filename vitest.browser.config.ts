import { defineConfig } from "vitest/config";

/**
 * The browser test (`npm run test:browser`): the bot's comments rendered as GitHub renders them, in
 * Debian's Chromium. Apart from `npm test` because it needs Chromium, which `.ci/run` installs.
 */
export default defineConfig({
  test: {
    name: "browser",
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    // Two Kubo daemons, a dozen patches through the app, one browser: a bound on a hang, not a speed check.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
