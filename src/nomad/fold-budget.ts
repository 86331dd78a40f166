import { NomadPatchError } from "../errors.js";
import { yieldIfBusy } from "./event-loop-slice.js";

/**
 * How much work one fold may do. A fold's cost is not bounded by its input: the Storage replay
 * (after NomadKuboFolder `FolderDataToInstanceAsync`, OwlCore.Nomad.Storage.Kubo/src/NomadKuboFolder.cs)
 * replays an id's entries under every folder that has that id, so 70 entries of a few hundred bytes can
 * ask for millions of folders. Every fold counts its steps and the state it builds and stops at these.
 */
export interface FoldLimits {
  /** Reducer applications plus folder and file nodes replayed. */
  readonly maxSteps: number;
  /** An estimate of the bytes of state built (Storage nodes), well above the 2 MiB a roaming block may have. */
  readonly maxStateBytes: number;
}

/**
 * Sized so that real objects pass with room to spare: a 10,000-entry history and a 1,000-entry patch cost
 * at most about two steps per entry (one reducer step, one node), about 22,000 steps, and a roaming value
 * must fit a 2 MiB block anyway. See docs/decisions.md.
 */
export const defaultFoldLimits: FoldLimits = { maxSteps: 250_000, maxStateBytes: 8 * 1024 * 1024 };

/** Steps between two yields to the event loop, so a long fold never holds up other work. */
const STEPS_PER_SLICE = 2048;

export type FoldSubject = "target" | "patch";

/** The work one fold did, counted as it goes: the numbers a refusal gives. */
export class FoldBudget {
  private stepsDone = 0;
  private bytesBuilt = 0;
  private sinceYield = 0;

  constructor(
    readonly limits: FoldLimits = defaultFoldLimits,
    /** What is being folded, for the refusal's message. */
    readonly subject: FoldSubject = "target",
  ) {}

  get steps(): number {
    return this.stepsDone;
  }

  get stateBytes(): number {
    return this.bytesBuilt;
  }

  /**
   * Count one step (and the bytes of state it built); throws FoldBudgetExceededError past a limit.
   * Returns true when the fold should yield to the event loop before going on.
   */
  charge(stateBytes = 0): boolean {
    if (this.stepsDone >= this.limits.maxSteps || this.bytesBuilt + stateBytes > this.limits.maxStateBytes) {
      throw new FoldBudgetExceededError(this);
    }
    this.stepsDone++;
    this.bytesBuilt += stateBytes;
    this.sinceYield++;
    if (this.sinceYield < STEPS_PER_SLICE) return false;
    this.sinceYield = 0;
    return true;
  }
}

/** Let timers, I/O and other webhooks run between slices of a long fold. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Charge one step and yield when a slice is used up, in steps or in time (`yieldIfBusy`: a step of a
 * large state can be slow): the one call a fold's loop makes per step.
 */
export async function spend(budget: FoldBudget, stateBytes = 0): Promise<void> {
  await (budget.charge(stateBytes) ? yieldToEventLoop() : yieldIfBusy());
}

/** A fold stopped on purpose: the target or the patch is too expensive to fold. Nothing was written. */
export class FoldBudgetExceededError extends NomadPatchError {
  readonly code = "FOLD_BUDGET";
  override readonly exitCode = 65; // EX_DATAERR: the data, not the program, is at fault
  readonly subject: FoldSubject;
  readonly steps: number;
  readonly stateBytes: number;
  readonly limits: FoldLimits;

  constructor(budget: FoldBudget) {
    const { maxSteps, maxStateBytes } = budget.limits;
    const which = budget.subject === "patch" ? "The patch request's entries are" : "The target is";
    super(
      `${which} too expensive to fold: the fold stopped after ${budget.steps} steps and about ${budget.stateBytes} bytes of state (limits: ${maxSteps} steps, ${maxStateBytes} bytes)`,
    );
    this.subject = budget.subject;
    this.steps = budget.steps;
    this.stateBytes = budget.stateBytes;
    this.limits = budget.limits;
  }
}
