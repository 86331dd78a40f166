import { NomadPatchError } from "../errors.js";
import type { PublishDrift, RejectedHistory, UnreachableSource } from "../patch-request/change-model.js";

/**
 * The patch key now resolves to another CID than the one approved: the approval is void,
 * the caller re-renders and asks again. Nothing was written.
 */
export class PatchMovedError extends NomadPatchError {
  readonly code = "PATCH_MOVED";
  override readonly exitCode = 4;
  constructor(
    readonly key: string,
    readonly expectedCid: string,
    readonly actualCid: string | undefined,
  ) {
    super(
      `The patch request ${key} now resolves to ${actualCid ?? "nothing"}, not the approved ${expectedCid}: review it again`,
    );
  }
}

/**
 * Folding the target with the patch now gives another result than the approver saw (the
 * target moved, or the patch would now do something else). Nothing was written.
 */
export class TargetMovedError extends NomadPatchError {
  readonly code = "TARGET_MOVED";
  override readonly exitCode = 4;
  constructor(
    readonly targetId: string,
    readonly expectedResultCid: string,
    readonly actualResultCid: string | null,
  ) {
    super(
      `Applying now would give ${actualResultCid ?? "an unpredictable result"} instead of the approved ${expectedResultCid}: the target ${targetId} moved since the review; review it again`,
    );
  }
}

/** This node does not hold the target's roaming key and a local key: it can preview, not apply. */
export class ReadOnlyTargetError extends NomadPatchError {
  readonly code = "READ_ONLY";
  override readonly exitCode = 5;
  constructor(readonly targetId: string) {
    super(
      `This node cannot apply patches to ${targetId}: it holds no roaming key for it with a matching local key (run \`nomad-patch init\`)`,
    );
  }
}

/**
 * A known source (one of the target's devices) cannot be read: a fold without it would publish a roaming
 * value that drops its changes, where C# stops loading instead. Nothing was written; the same approval
 * applies once the device is back.
 */
export class SourceUnreachableError extends NomadPatchError {
  readonly code = "SOURCE_UNREACHABLE";
  override readonly exitCode = 75; // EX_TEMPFAIL: it goes ahead once the device is back
  constructor(
    readonly targetId: string,
    readonly sources: readonly UnreachableSource[],
  ) {
    const devices = sources.map((s) => `${s.id} (${s.via})`).join(", ");
    super(
      `Not applied to ${targetId}: ${sources.length === 1 ? "the device" : "the devices"} ${devices} cannot be read (no event stream resolves), and publishing without ${sources.length === 1 ? "its" : "their"} changes would lose them. Nothing was written; approve or apply again once ${sources.length === 1 ? "it is" : "they are"} back online`,
    );
  }
}

/**
 * Publishing would change the published roaming value beyond the patch's own effects, and the target
 * does not allow that (`allowDivergentPublish`). Nothing was written.
 */
export class DivergentPublishError extends NomadPatchError {
  readonly code = "DIVERGENT_PUBLISH";
  override readonly exitCode = 3; // refused, until the sources or the setting change
  constructor(
    readonly targetId: string,
    readonly drift: PublishDrift,
  ) {
    const paths = drift.changes
      .slice(0, 5)
      .map((c) => `${c.path} ${c.change}`)
      .join(", ");
    const more = drift.changes.length > 5 ? `, and ${drift.changes.length - 5} more` : "";
    super(
      `Not applied to ${targetId}: publishing would also change what the patch does not (${paths}${more}), because the fold of the known sources does not reproduce the published value ${drift.publishedCid}. Nothing was written. Name the missing device in the target's sources (or pair it), or set allowDivergentPublish: true on the target (nomad-patch apply --allow-divergent-publish) to publish anyway`,
    );
  }
}

/**
 * The target's history holds entries the fold here cannot replay (a newer event type), and the target does
 * not allow a divergent publish: the roaming value would leave their changes out. Nothing was written.
 */
export class UnreplayableHistoryError extends NomadPatchError {
  readonly code = "UNREPLAYABLE_HISTORY";
  override readonly exitCode = 3; // refused, until this project replays them or the setting changes
  constructor(
    readonly targetId: string,
    readonly history: RejectedHistory,
  ) {
    const named = history.entries
      .filter((entry) => entry.skipped)
      .slice(0, 3)
      .map((entry) => `${entry.cid} (${entry.eventId}: ${entry.reason})`)
      .join(", ");
    super(
      `Not applied to ${targetId}: ${history.skipped} ${history.skipped === 1 ? "entry" : "entries"} of its history cannot be replayed here (${named}), and a roaming value published without ${history.skipped === 1 ? "it" : "them"} would drop the changes of the device that wrote ${history.skipped === 1 ? "it" : "them"}. Nothing was written. Set allowDivergentPublish: true on the target (nomad-patch apply --allow-divergent-publish) to publish anyway`,
    );
  }
}

/**
 * Something the applied result would reference (an entry, its content, a file it points to) cannot be
 * fetched within the bounds. The review says so; an apply checks it again before it publishes anything.
 */
export class ContentUnreachableError extends NomadPatchError {
  readonly code = "CONTENT_UNREACHABLE";
  override readonly exitCode = 75; // EX_TEMPFAIL: it may come online
  constructor(
    readonly cid: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(`The patch references ${cid}, which could not be fetched (${why})`, {
      ...options,
      hint: "keep a node that has the content online and connected to the bot's, then approve again",
    });
  }
}

/** A block the apply would publish (the roaming value, the bot's stream) is over Kubo's block limit. */
export class BlockTooLargeError extends NomadPatchError {
  readonly code = "TOO_LARGE";
  override readonly exitCode = 65;
  constructor(
    readonly what: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`${what} would be ${bytes} bytes: too large, over the ${maxBytes}-byte block limit`);
  }
}

/**
 * What the patch writes changed after its base: approving would remove those changes (a lost update).
 * Refused unless the approver overrides it on purpose (an admin, `apply --override-conflicts`); the
 * contributor's `nomad-patch rebase` makes a version without the conflict. Nothing was written.
 */
export class ConflictError extends NomadPatchError {
  readonly code = "CONFLICT";
  override readonly exitCode = 3; // refused, until the patch is rebased or the override is given
  constructor(
    readonly key: string,
    readonly paths: readonly string[],
  ) {
    const shown = paths.slice(0, 5).join(", ");
    const more = paths.length > 5 ? ` and ${paths.length - 5} more` : "";
    super(
      `Not applied: ${shown}${more} changed after this patch was written, and applying it would remove those changes. Nothing was written`,
      {
        hint: `rebase it first (the contributor runs \`nomad-patch rebase ${key}\`), or apply it as it is on purpose (an admin's approval, or \`nomad-patch apply --override-conflicts\`)`,
      },
    );
  }
}

/**
 * Another approved patch's apply to the same target is unfinished (its entries may already be in the bot's
 * stream, the roaming value not yet published). Planning this one on top would publish that one's entries
 * with it, unreviewed here, or put this one's entries under a plan made before them; it goes first.
 * Nothing was written.
 */
export class UnfinishedApplyError extends NomadPatchError {
  readonly code = "UNFINISHED_APPLY";
  override readonly exitCode = 75; // EX_TEMPFAIL: it goes ahead once the other apply is finished
  constructor(
    readonly targetId: string,
    readonly unfinished: readonly {
      readonly patchKey: string;
      readonly patchCid: string;
      readonly state: string;
    }[],
  ) {
    const first = unfinished[0];
    const named = unfinished.map((u) => `${u.patchKey} (version ${u.patchCid}, ${u.state})`).join(", ");
    super(
      `Not applied to ${targetId}: the apply of ${unfinished.length === 1 ? "another patch" : "other patches"}, ${named}, to this target is unfinished on this node, and it must be finished first. Nothing was written`,
      {
        hint: `finish it by approving it again on its issue, or with \`nomad-patch apply ${first?.patchKey ?? "KEY"}\`; then approve this patch again`,
      },
    );
  }
}
