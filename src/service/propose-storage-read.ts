import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";

/**
 * A file's bytes, wherever they are: a path on disk, bytes in memory (a merged text), or content that
 * is on IPFS already (the CID of a file kept as it is, or null for a file created empty).
 */
export type FileSource = string | { readonly bytes: Uint8Array } | { readonly cid: CID | null };

/** A local folder as Storage sees it: regular files and sub-folders by name. */
export interface LocalFolder {
  /** File name → absolute path (or, for a folder built in memory, the bytes or the content CID). */
  readonly files: Map<string, FileSource>;
  readonly folders: Map<string, LocalFolder>;
}

/** The marker `nomad-patch export` writes: which target and version the folder came from. */
export const EXPORT_MARKER = ".nomad-patch.json";

/**
 * Read a folder tree for proposing. The export marker is not content. Symbolic links and other
 * special files are refused rather than followed: a proposal holds exactly what the folder shows.
 */
export async function readLocalFolder(dir: string, depth = 0): Promise<LocalFolder> {
  if (depth > 64) throw new UsageError(`${dir} is nested more than 64 folders deep`);
  const files = new Map<string, FileSource>();
  const folders = new Map<string, LocalFolder>();
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`Cannot read the folder ${dir}: ${error.code ?? error.message}`);
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (depth === 0 && entry.name === EXPORT_MARKER) continue;
    if (entry.isFile()) files.set(entry.name, path);
    else if (entry.isDirectory()) folders.set(entry.name, await readLocalFolder(path, depth + 1));
    else throw new UsageError(`${path} is neither a file nor a folder (a link?); remove it or replace it`);
  }
  return { files, folders };
}
