/**
 * Glob matching for rule patterns, without regular expressions: a pattern comes from a repository's
 * config and a subject from a contributor's patch, so neither may be able to make matching slow. Both
 * matchers are the two-pointer wildcard algorithm: at worst pattern length × subject length steps.
 */

/** `*` matches any run of characters, including none; everything else matches itself, case-sensitively. */
export function matchWildcard(pattern: string, subject: string): boolean {
  return matchSequence(
    pattern.length,
    subject.length,
    (p) => pattern[p] === "*",
    (p, s) => pattern[p] === subject[s],
  );
}

/**
 * Match a `/`-separated path. A `**` segment matches any number of segments (including none); within
 * a segment, `*` matches any run of characters except `/`. So `a/**` is `a` and everything under it;
 * a `*` segment before the `**` leaves `a` itself out.
 */
export function matchPathGlob(pattern: string, subject: string): boolean {
  const patternSegments = pattern.split("/");
  const subjectSegments = subject.split("/");
  return matchSequence(
    patternSegments.length,
    subjectSegments.length,
    (p) => patternSegments[p] === "**",
    (p, s) => matchWildcard(patternSegments[p] ?? "", subjectSegments[s] ?? ""),
  );
}

/**
 * The classic greedy wildcard match over abstract sequences: on a mismatch, go back to the last star
 * and let it swallow one more item. Correct because every non-star item matches exactly one item.
 * Exported for the test that counts its steps on a hostile pattern (not part of the package's API).
 */
export function matchSequence(
  patternLength: number,
  subjectLength: number,
  isStar: (p: number) => boolean,
  matches: (p: number, s: number) => boolean,
): boolean {
  let p = 0;
  let s = 0;
  let lastStar = -1;
  let swallowedUpTo = 0;
  while (s < subjectLength) {
    if (p < patternLength && !isStar(p) && matches(p, s)) {
      p++;
      s++;
    } else if (p < patternLength && isStar(p)) {
      lastStar = p;
      swallowedUpTo = s;
      p++;
    } else if (lastStar !== -1) {
      p = lastStar + 1;
      swallowedUpTo++;
      s = swallowedUpTo;
    } else {
      return false;
    }
  }
  while (p < patternLength && isStar(p)) p++;
  return p === patternLength;
}
