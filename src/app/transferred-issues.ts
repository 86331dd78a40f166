import { readFileSync } from "node:fs";
import { z } from "zod";
import { writeJsonAtomically } from "./write-json-atomically.js";

/**
 * The issues transferred away from a repository this process serves, by lane (`owner/repo#number`): after
 * `issues.transferred`, a job still waiting in the old issue's lane would read the old repository's
 * configuration and permissions and write on a number that now only redirects, so it does nothing.
 * Bounded: the oldest are forgotten first. Kept in `<dataDir>/transferred-issues.json` when given a file,
 * so that an event for the old issue still in `queue/` when the process stopped does nothing after a
 * restart either; `add` resolves once the file holds the lane (or writing it failed, which is logged).
 */
export interface TransferredIssues {
  add(lane: string): Promise<void>;
  has(lane: string): boolean;
}

export interface TransferredIssuesOptions {
  /** Where the lanes are kept; undefined keeps them in memory only. */
  readonly file?: string;
  readonly max?: number;
  readonly log?: (message: string) => void;
}

const FILE_VERSION = 1;
// `owner/repo#number` as GitHub spells names: what `issueLane` writes, and nothing else.
const laneSchema = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+#[1-9][0-9]{0,9}$/u);
const fileSchema = z.strictObject({ v: z.literal(FILE_VERSION), lanes: z.array(laneSchema) });

export function createTransferredIssues(options: TransferredIssuesOptions | number = {}): TransferredIssues {
  const { file, max = 10_000, log = () => {} } = typeof options === "number" ? { max: options } : options;
  // Set order is insertion order: the first one is the oldest.
  const lanes = new Set<string>(readLanes(file, max, log));
  let writing: Promise<void> = Promise.resolve();
  const save = () => {
    if (file === undefined) return writing;
    const snapshot = [...lanes];
    writing = writing.then(async () => {
      try {
        await writeJsonAtomically(file, { v: FILE_VERSION, lanes: snapshot });
      } catch (error) {
        log(`transferred issues not saved: ${(error as Error).message}`);
      }
    });
    return writing;
  };
  return {
    add(lane) {
      lanes.delete(lane);
      while (lanes.size >= max) lanes.delete(lanes.values().next().value as string);
      lanes.add(lane);
      return save();
    },
    has: (lane) => lanes.has(lane),
  };
}

/** The lanes of a file that parses whole and within bounds; anything else is discarded with a log line. */
function readLanes(file: string | undefined, max: number, log: (message: string) => void): string[] {
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      log(`transferred issues unreadable, starting empty: ${(error as Error).message}`);
    return [];
  }
  // A lane is under 300 bytes: a file far larger was not written by the app.
  if (text.length > max * 320 + 64) {
    log("transferred issues file too large: discarded");
    return [];
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.lanes.slice(-max);
  } catch {
    // Not JSON: discarded below.
  }
  log("transferred issues file is corrupt: discarded; transfers from now on are kept again");
  return [];
}
