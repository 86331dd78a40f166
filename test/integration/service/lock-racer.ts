import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A process racing others for a lock: it answers each line written to its stdin with one line. */
export interface Racer {
  readonly child: ChildProcess;
  /** The next line it writes. */
  next(): Promise<string>;
}

/** Starts `node script ...args`, its stderr shown, its stdout read line by line. */
export function startRacer(script: string, args: readonly string[]): Racer {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    const wake = waiting.shift();
    if (wake) wake(line);
    else lines.push(line);
  });
  return {
    child,
    next: () =>
      new Promise((resolve) => {
        const line = lines.shift();
        if (line !== undefined) resolve(line);
        else waiting.push(resolve);
      }),
  };
}
