import type { Problem, PublishDrift, UnreachableSource } from "./change-model.js";

/**
 * One blocker per known source whose stream could not be read. C# stops loading the object when a
 * source does not resolve (OwlCore.Nomad.Kubo NomadKuboEventStreamHandlerExtensions.cs,
 * ResolveEventStreamEntriesAsync → ResolveContentPointerAsync guards the resolved stream); a fold
 * without that device would publish a roaming value that drops its changes.
 */
export function unreachableBlockers(sources: readonly UnreachableSource[]): Problem[] {
  // Kept under the header's 300 characters per problem, with the longest `via` (another key).
  return sources.map((source) => ({
    code: "source-unreachable",
    message: `The device ${source.id} (${source.via}) cannot be read (its stream does not resolve): applying is refused until it is back online; then /refresh or /apply again (or nomad-patch apply)`,
  }));
}

/** The publish would change the published value beyond the patch: a blocker by default, a warning when allowed. */
export function driftProblem(drift: PublishDrift): Problem {
  const count = drift.changes.length;
  const removed = drift.changes.filter((change) => change.change === "removed").length;
  const lead = `Publishing would also change ${count} ${count === 1 ? "thing" : "things"}${removed > 0 ? ` (dropping ${removed})` : ""} this patch does not: the fold of the known sources does not reproduce the published value`;
  return drift.allowed
    ? { code: "divergent-publish-allowed", message: `${lead}. The target allows it (allowDivergentPublish)` }
    : {
        code: "divergent-publish",
        message: `${lead}. Applying is refused unless the target allows it (allowDivergentPublish: true)`,
      };
}
