import type { CID } from "multiformats/cid";
import { PolicyRefusal } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { createLimiter, FoldBudget, type LoadedEntry, loadEntries } from "../nomad/index.js";
import type { Problem } from "../patch-request/change-model.js";
import { checkCSharpCompatibility, failingEntryRefusals } from "../patch-request/csharp-compatibility.js";
import type { ProposedEntry } from "../patch-request/proposed-entry.js";
import type { LoadedTarget } from "./load-target.js";
import type { EncodedEntries } from "./propose-entries.js";
import { resolveReferences } from "./resolve-references.js";

/** Refusals named one by one in the error; the rest are counted. */
const MAX_NAMED = 5;

/**
 * Before anything is written: refuse entries every C# device of the target would throw on, with the
 * review's own checks (docs/format.md "What the C# replay rejects"): the C# rules of
 * csharp-compatibility.ts, the objects the entries name (looked up as the review does), and the fold of
 * the entries on top of the target (content C# cannot read). The review would refuse the patch anyway;
 * refusing here keeps a contributor from publishing a patch no one can apply.
 * `where(i)` names entry i for the message (`entries.json[2]`, `--set Name`).
 */
export async function refuseCSharpRejects(
  store: IpfsStore,
  input: {
    readonly target: LoadedTarget;
    readonly encoded: EncodedEntries;
    readonly where?: (index: number) => string | undefined;
    readonly resolveTimeoutMs?: number;
  },
): Promise<void> {
  const { target, encoded } = input;
  const limit = createLimiter(8);
  const fetchBlock = (cid: CID) =>
    encoded.contents.has(cid.toString())
      ? Promise.resolve(encoded.contents.get(cid.toString()))
      : store.dagGet(cid, { timeoutMs: input.resolveTimeoutMs });
  const loaded = await loadEntries(encoded.entries, target.module, fetchBlock, limit);
  const proposed: ProposedEntry[] = encoded.entries.map((e, index) => ({
    index,
    cid: e.cid,
    entry: e.entry,
    loaded: loaded[index] as LoadedEntry,
  }));
  const references = await resolveReferences(store, {
    module: target.module.name,
    entries: proposed,
    timeoutMs: input.resolveTimeoutMs,
    limit,
  });
  const { steps } = await target.module.fold(target.state, loaded, {
    rootId: target.targetId,
    sources: target.sources,
    budget: new FoldBudget(undefined, "patch"),
  });
  const problems = checkCSharpCompatibility({ module: target.module.name, entries: proposed, references });
  // An entry refused by a rule already is not named twice for what its replay then does.
  const named = new Set(problems.map((p) => p.entryIndex));
  problems.push(
    ...failingEntryRefusals(
      steps,
      proposed.filter((p) => !named.has(p.index)),
      target.module.name,
    ),
  );
  if (problems.length > 0) throw new CSharpRejectsError(problems, input.where);
}

/** Entries a C# device could not load: nothing was written or published. Exit 3, as any refusal. */
export class CSharpRejectsError extends PolicyRefusal {
  constructor(
    readonly problems: readonly Problem[],
    where: (index: number) => string | undefined = () => undefined,
  ) {
    const named = problems.slice(0, MAX_NAMED).map((problem) => {
      const at = problem.entryIndex === undefined ? undefined : where(problem.entryIndex);
      return `${at ? `${at}: ` : ""}${problem.message} (${problem.code})`;
    });
    const more = problems.length > MAX_NAMED ? `; and ${problems.length - MAX_NAMED} more` : "";
    super(`Nothing was published: ${named.join("; ")}${more}`, {
      hint: `every C# device of the target would fail to load it with such an entry (docs/format.md, "What the C# replay rejects"); change or drop the entry`,
    });
  }
}
