import { wacProjectModule } from "../../../src/nomad/index.js";
import { appendEntries, type NewEntry } from "../../../src/service/append-entries.js";
import { createNomadObject } from "../../../src/service/create-nomad-object.js";
import { putValueUpdate } from "../../../src/service/value-update-content.js";
import { type BuiltTarget, type NodeLike, testPublish } from "./node.js";

export interface ProjectLink {
  readonly Id: string;
  readonly Url: string;
  readonly Name: string;
  readonly Description: string;
}

/** A WindowsAppCommunity project owned by `node`, with a name and optional description, features, links. */
export async function createProjectTarget(
  node: NodeLike,
  spec: {
    readonly knownId: string;
    readonly name: string;
    readonly description?: string;
    readonly features?: readonly string[];
    readonly links?: readonly ProjectLink[];
  },
): Promise<BuiltTarget> {
  const { store } = node;
  const created = await createNomadObject(
    { store },
    { module: wacProjectModule, name: spec.knownId, publish: testPublish },
  );
  const P = created.keys.roaming.id;
  const value = (eventId: string, update: Parameters<typeof putValueUpdate>[1]) =>
    putValueUpdate(store, update).then((content): NewEntry => ({ targetId: P, eventId, content }));
  const entries: NewEntry[] = [await value("UpdateNameAsync", { value: spec.name })];
  if (spec.description !== undefined)
    entries.push(await value("UpdateDescriptionAsync", { value: spec.description }));
  for (const feature of spec.features ?? []) entries.push(await value("AddFeatureAsync", { value: feature }));
  for (const link of spec.links ?? [])
    entries.push(await value("AddLinkAsync", { key: link.Id, value: { ...link } }));
  const written = await appendEntries({ store }, { target: P, entries, publish: testPublish });
  return {
    id: P,
    localId: created.keys.local.id,
    keyNames: { local: created.keys.local.name, roaming: created.keys.roaming.name },
    roamingCid: written.roamingCid,
  };
}
