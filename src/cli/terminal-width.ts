import { UsageError } from "../errors.js";
import { DEFAULT_WIDTH } from "../render/index.js";
import type { CliIo } from "./io.js";

const MIN_WIDTH = 40;
const MAX_WIDTH = 10_000;

/**
 * The columns the terminal text is laid out for: `--width`, else `COLUMNS` (the POSIX way to override a
 * terminal's size, when exported), else the terminal's own width when stdout is one, else 100 (a pipe or a
 * file). Whatever the width, no value is cut: long ones wrap.
 */
export function terminalWidth(io: CliIo, option?: string): number {
  if (option !== undefined) return parseWidth(option, "--width");
  // Set by shells and tools, not only by the user: a value that is not a width is ignored, not an error.
  const columns = Number(io.env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return clamp(columns);
  const tty = io.stdout.isTTY === true ? io.stdout.columns : undefined;
  return tty !== undefined && tty > 0 ? clamp(tty) : DEFAULT_WIDTH;
}

function clamp(columns: number): number {
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, columns));
}

function parseWidth(text: string, name: string): number {
  const width = Number(text.trim());
  if (!Number.isInteger(width) || width < MIN_WIDTH || width > MAX_WIDTH)
    throw new UsageError(
      `${name} must be a number of columns from ${MIN_WIDTH} to ${MAX_WIDTH}, not ${JSON.stringify(text.slice(0, 40))}`,
    );
  return width;
}
