/**
 * What one person may cost the bot, counted in memory per sender over a fixed window: every key
 * reviewed costs GitHub writes (which all share one throttled queue) and an IPNS resolve. A sender
 * over their keys is refused until the window ends; a sender whose keys keep failing is low priority
 * (README, "Flood limits").
 */
export interface SenderBudget {
  /** Takes `keys` from the sender's allowance; false (and nothing taken) when they do not fit. */
  take(sender: string, keys: number): boolean;
  /** Counts keys of the sender that could not be reviewed. */
  failed(sender: string, keys: number): void;
  /** Whether the sender's keys failed `demoteAfter` times or more in the window. */
  isLowPriority(sender: string): boolean;
  /** True the first time in a window that the sender is refused: the one "slow down" note to post. */
  firstRefusal(sender: string): boolean;
  /**
   * True the first time in a window that a job of the sender is dropped (too many waiting): the one
   * "too much at once" note to post, so a flood cannot make the bot write a flood.
   */
  firstDrop(sender: string): boolean;
  /** Lifts the sender's key limit until the window ends (they turned out to have write access). */
  exempt(sender: string): void;
}

export interface SenderBudgetOptions {
  readonly keysPerWindow: number;
  readonly windowMs: number;
  /** Failed keys in a window after which a sender's jobs wait for everyone else's. */
  readonly demoteAfter?: number;
  /** Senders remembered at once; the oldest window is forgotten first. */
  readonly maxSenders?: number;
  readonly now?: () => number;
}

interface Window {
  readonly start: number;
  keys: number;
  failures: number;
  refused: boolean;
  dropNoted: boolean;
  exempt: boolean;
}

export function createSenderBudget(options: SenderBudgetOptions): SenderBudget {
  const { keysPerWindow, windowMs, demoteAfter = 3, maxSenders = 10_000, now = Date.now } = options;
  const windows = new Map<string, Window>();

  function windowOf(sender: string): Window {
    const at = now();
    const current = windows.get(sender);
    if (current && at - current.start < windowMs) return current;
    windows.delete(sender);
    // Map order is insertion order: the first entry has the oldest window.
    while (windows.size >= maxSenders) windows.delete(windows.keys().next().value as string);
    const fresh: Window = {
      start: at,
      keys: 0,
      failures: 0,
      refused: false,
      dropNoted: false,
      exempt: false,
    };
    windows.set(sender, fresh);
    return fresh;
  }

  return {
    take(sender, keys) {
      const window = windowOf(sender);
      if (!window.exempt && window.keys + keys > keysPerWindow) return false;
      window.keys += keys;
      return true;
    },
    failed(sender, keys) {
      windowOf(sender).failures += keys;
    },
    isLowPriority(sender) {
      const window = windows.get(sender);
      return window !== undefined && now() - window.start < windowMs && window.failures >= demoteAfter;
    },
    firstRefusal(sender) {
      const window = windowOf(sender);
      if (window.refused) return false;
      window.refused = true;
      return true;
    },
    firstDrop(sender) {
      const window = windowOf(sender);
      if (window.dropNoted) return false;
      window.dropNoted = true;
      return true;
    },
    exempt(sender) {
      windowOf(sender).exempt = true;
    },
  };
}
