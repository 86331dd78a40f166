import { CREATE_FOLDER, encodeFolderUpdateEvent } from "../../src/nomad/modules/storage-events.js";

export interface BombEntry {
  readonly targetId: string;
  readonly eventId: string;
  readonly content: ReturnType<typeof encodeFolderUpdateEvent>;
}

/**
 * The Storage fold bomb (issue 9 §3): 4k−2 `CreateFolderInFolderEvent` entries where the ids `R/ai` and
 * `R/bi` are created under both `R/a(i-1)` and `R/b(i-1)`. Replayed as the C# handlers replay it, every
 * folder with an id takes that id's entries, so the tree has 2^(k+1)−2 folders.
 */
export function foldBombEntries(root: string, k: number): BombEntry[] {
  const create = (parent: string, name: string): BombEntry => ({
    targetId: parent,
    eventId: CREATE_FOLDER,
    content: encodeFolderUpdateEvent({
      eventId: CREATE_FOLDER,
      storableItemId: `${root}/${name}`,
      workingFolderId: parent,
      storableItemName: name,
      overwrite: false,
    }),
  });
  const entries = [create(root, "a1"), create(root, "b1")];
  for (let i = 2; i <= k; i++) {
    for (const parent of [`${root}/a${i - 1}`, `${root}/b${i - 1}`]) {
      entries.push(create(parent, `a${i}`), create(parent, `b${i}`));
    }
  }
  return entries;
}

/** Folders the bomb at level k makes the replay build: 2^(k+1) − 2. */
export const foldBombFolders = (k: number): number => 2 ** (k + 1) - 2;
