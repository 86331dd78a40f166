/** Terminal rendering options: the CLI passes `color: process.stdout.isTTY` and the terminal width. */
export interface TextOptions {
  readonly color: boolean;
  /** Columns for rules and long cells; default 100. */
  readonly width?: number;
  /**
   * The words the printed apply command starts with; default `nomad-patch`. The CLI adds the `--kubo` and
   * `--data-dir` it was run with, so that the command copied as printed reaches the same node.
   */
  readonly command?: string;
}

export const DEFAULT_WIDTH = 100;
