import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { NotFoundError } from "../ipfs/errors.js";
import type { IpfsStore, ResolveOptions } from "../ipfs/store.js";
import { createLimiter, type FileData, type FolderData } from "../nomad/index.js";
import { loadTarget } from "./load-target.js";
import { EXPORT_MARKER } from "./propose-storage-read.js";

export interface ExportedFolder {
  readonly targetId: string;
  /** The roaming CID the folder was read at (what a proposal from it names as `Base`). */
  readonly base: string | null;
  readonly files: number;
  readonly folders: number;
  readonly bytes: number;
  /** Items not written, with the reason (a name that is not safe on disk). */
  readonly skipped: readonly string[];
}

/**
 * Write a Storage target's folder to disk so a contributor has something to edit:
 * 1. fold the target as a reader does (the same state a review compares against);
 * 2. refuse a non-empty directory unless `force`;
 * 3. write folders and file bytes (UnixFS `cat`, bounded, a few at a time), then the marker naming target and base.
 * Names come from someone else's data: any that could escape the directory are skipped and reported.
 */
export async function exportFolder(
  deps: { readonly store: IpfsStore },
  input: {
    readonly target: string;
    readonly dir: string;
    readonly force?: boolean;
    readonly maxFileBytes: number;
    readonly resolve?: ResolveOptions;
    readonly onProgress?: (message: string) => void;
  },
): Promise<ExportedFolder> {
  const { store } = deps;
  input.onProgress?.(`loading target ${input.target}…`);
  const target = await loadTarget({ store }, { target: input.target, resolve: input.resolve });
  // Without a roaming value the module cannot be recognised, so "not a Storage folder" would mislead.
  if (target.published === undefined)
    throw new NotFoundError(
      `The roaming key ${target.targetId} does not resolve: it was never published, or no node that has it is online`,
      { hint: "publish the folder from one of its devices first, then export it again" },
    );
  if (target.module.name !== "storage")
    throw new UsageError(`${target.targetId} is a ${target.module.name} object, not a Storage folder`);
  await mkdir(input.dir, { recursive: true });
  if (!input.force && (await readdir(input.dir)).length > 0)
    throw new UsageError(`${input.dir} is not empty; choose an empty directory or pass --force`);

  const counts = { files: 0, folders: 0, bytes: 0 };
  const limit = createLimiter(FILES_IN_FLIGHT);
  const skipped: string[] = [];
  const write = async (folder: FolderData, dir: string, path: string): Promise<void> => {
    const written = new Set<string>();
    const refuse = (name: string, what: "file" | "folder") => {
      const problem = nameProblem(name, what, path === "", written);
      if (problem) skipped.push(`${path}${JSON.stringify(name)}: ${problem}`);
      else written.add(name);
      return problem !== undefined;
    };
    const files = (folder.Files as FileData[]).filter((file) => !refuse(file.StorableItemName, "file"));
    // A folder's files fetched a few at a time: one request each, so in flight together they cost less.
    await Promise.all(
      files.map((file) =>
        limit(async () => {
          input.onProgress?.(`fetching ${path}${file.StorableItemName}…`);
          const bytes = file.ContentId
            ? await store.catFile(file.ContentId, { maxBytes: input.maxFileBytes })
            : new Uint8Array();
          await writeFile(join(dir, file.StorableItemName), bytes);
          counts.files++;
          counts.bytes += bytes.length;
        }),
      ),
    );
    for (const sub of folder.Folders) {
      if (refuse(sub.StorableItemName, "folder")) continue;
      await mkdir(join(dir, sub.StorableItemName), { recursive: true });
      counts.folders++;
      await write(sub, join(dir, sub.StorableItemName), `${path}${sub.StorableItemName}/`);
    }
  };
  await write(target.state as unknown as FolderData, input.dir, "");
  const base = target.published?.cid.toString() ?? null;
  const marker = { target: target.targetId, base, exportedAt: new Date().toISOString() };
  await writeFile(join(input.dir, EXPORT_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return { targetId: target.targetId, base, skipped, ...counts };
}

/** Files fetched at once: enough to hide a request's latency, few enough to leave the node room. */
const FILES_IN_FLIGHT = 8;

/** What file systems accept for one name (ext4, APFS, NTFS: 255 bytes or UTF-16 units). */
const MAX_NAME_BYTES = 255;

/**
 * Why a name from someone else's data cannot be written here, or undefined: never `.`, `..`, a
 * separator or NUL; at most 255 bytes; one name per folder (a file and a folder of one name cannot
 * both exist on disk).
 */
function nameProblem(
  name: string,
  what: "file" | "folder",
  atRoot: boolean,
  written: ReadonlySet<string>,
): string | undefined {
  const unsafe =
    name === "" ||
    name === "." ||
    name === ".." ||
    /[/\\\0]/.test(name) ||
    (atRoot && name === EXPORT_MARKER);
  if (unsafe) return `not a safe ${what} name`;
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `the name is longer than ${MAX_NAME_BYTES} bytes`;
  if (written.has(name)) return "a file or folder of the same name is already written";
  return undefined;
}
