/**
 * GitHub's clock as the tests see it: every comment the fake writes and every event a test builds gets
 * the next time, one second apart (GitHub's timestamps have whole seconds), so the order in which a test
 * does things is the order GitHub reports. An event built before another is older, as on GitHub.
 */
let seconds = Date.parse("2026-01-01T00:00:00Z") / 1000;

export function gitHubTime(): string {
  seconds += 1;
  return new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
}
