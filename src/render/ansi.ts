/** The few SGR styles the terminal renderings use; identity functions when colour is off. */
export interface Paint {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function paint(color: boolean): Paint {
  if (!color) return { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** Colours a unified diff line by its first character. */
export function paintDiffLine(line: string, p: Paint): string {
  if (line.startsWith("+++") || line.startsWith("---")) return p.bold(line);
  if (line.startsWith("+")) return p.green(line);
  if (line.startsWith("-")) return p.red(line);
  if (line.startsWith("@@")) return p.cyan(line);
  if (line.startsWith("~")) return p.yellow(line);
  return line;
}
