import type { CID } from "multiformats/cid";
import type { IpfsStore } from "../../../src/ipfs/store.js";
import { wacProjectModule } from "../../../src/nomad/index.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { loadTarget } from "../../../src/service/load-target.js";
import { type EntryDraft, putProposedEntries } from "../../../src/service/propose-entries.js";
import { type PublishedPatch, publishPatchRequest } from "../../../src/service/propose-publish.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";

const publish = { allowOffline: true };
let counter = 0;

/** A WindowsAppCommunity project on the operator's node: it holds the roaming and local keys, so it can apply. */
export async function createProject(store: IpfsStore): Promise<{ id: string; roamingCid: CID }> {
  counter += 1;
  const created = await createNomadObject(
    { store },
    { module: wacProjectModule, name: `app-${process.pid}-${counter}`, publish },
  );
  return { id: created.keys.roaming.id, roamingCid: created.roamingCid };
}

/** A patch request on the contributor's node renaming the project, with any extra entries after it. */
export async function proposeRename(
  store: IpfsStore,
  target: { id: string; roamingCid: CID },
  name: string,
  extra: (store: IpfsStore) => Promise<EntryDraft[]> = async () => [],
): Promise<PublishedPatch> {
  const content = await putValueUpdate(store, { value: name });
  const drafts: EntryDraft[] = [
    { targetId: target.id, eventId: "UpdateNameAsync", content },
    ...(await extra(store)),
  ];
  const entries = await putProposedEntries(store, drafts);
  return publishPatchRequest(
    { store },
    {
      target: target.id,
      base: target.roamingCid,
      title: `Rename to ${name}`,
      description: "A better name",
      entries,
      publish,
    },
  );
}

/** The target as the operator's node folds it now: its name and the EventIds in its history. */
export async function operatorView(store: IpfsStore, target: string) {
  const loaded = await loadTarget({ store }, { target });
  return {
    name: loaded.state.Name,
    eventIds: loaded.entries.map((e) => e.entry.eventId),
    published: loaded.published?.cid.toString(),
  };
}

export function configYaml(target: string, extra = ""): string {
  return [`targets:`, `  - id: ${target}`, `    module: wac-project`, extra].join("\n");
}
