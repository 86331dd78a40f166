import type { IpldValue } from "./ipld.js";
import type { FoldContext } from "./modules/types.js";

/**
 * Appending to a list in the folded state by copying it (`[...list, item]`, as a pure reducer would) makes
 * a fold of N appends copy N²/2 items: 10,000 features added to a project are 50 million items copied, the
 * bulk of the garbage a cold review makes. Inside one fold, the lists that fold made itself are seen by
 * nothing else until it returns, so it may grow them in place: the first append to a list copies it (the
 * list may be the seed's or an earlier fold's, which stay as they were), later ones push onto the copy.
 * Once the fold returns, its draft is gone and its lists are never written again: the folded state is
 * immutable to everyone who holds it (a remembered fold, a fold on top of it).
 */
export class ListDraft {
  private readonly owned = new WeakSet<readonly IpldValue[]>();
  private grownInPlace = 0;

  /** Appends made in place so far: such a step changed the state although its lists compare equal. */
  get appendsInPlace(): number {
    return this.grownInPlace;
  }

  append(list: readonly IpldValue[], item: IpldValue): IpldValue[] {
    if (this.owned.has(list)) {
      const own = list as IpldValue[];
      own.push(item);
      this.grownInPlace++;
      return own;
    }
    const copy = copyAppending(list, item);
    this.owned.add(copy);
    return copy;
  }
}

const DRAFT = Symbol("the fold's list draft");

type DraftContext = FoldContext & { readonly [DRAFT]?: ListDraft };

/** The context a fold hands its reducers: the caller's, with a draft of its own lists. */
export function withListDraft(ctx: FoldContext): FoldContext {
  const withDraft: DraftContext = { ...ctx, [DRAFT]: new ListDraft() };
  return withDraft;
}

export function listDraftOf(ctx: FoldContext): ListDraft | undefined {
  return (ctx as DraftContext)[DRAFT];
}

/**
 * `list` with `item` at the end, for a reducer. Inside a fold that drafts its lists this may be `list`
 * itself, grown: so it must be the reducer's last act, after everything that can throw (a reducer that
 * throws leaves the state as it was).
 */
export function appendItem(list: readonly IpldValue[], item: IpldValue, ctx: FoldContext): IpldValue[] {
  const draft = listDraftOf(ctx);
  return draft ? draft.append(list, item) : copyAppending(list, item);
}

let itemsCopied = 0;

/** How many list items appends have copied since the process started (for tests and benchmarks). */
export function listItemsCopied(): number {
  return itemsCopied;
}

function copyAppending(list: readonly IpldValue[], item: IpldValue): IpldValue[] {
  itemsCopied += list.length;
  return [...list, item];
}
