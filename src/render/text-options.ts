/** Terminal rendering options: the CLI passes `color: process.stdout.isTTY` and the terminal width. */
export interface TextOptions {
  readonly color: boolean;
  /** Columns for rules and long cells; default 100. */
  readonly width?: number;
}

export const DEFAULT_WIDTH = 100;
