/**
 * How a file kept on disk can be found damaged: a bit flipped near its end, cut short, or emptied. The
 * shelves' tests (folds, decoded patches) each check that none of these is ever used.
 */
export const fileDamages = [
  ["flipped", (b: Uint8Array) => b.map((byte, i) => (i === b.length - 3 ? byte ^ 0x01 : byte))],
  ["truncated", (b: Uint8Array) => b.subarray(0, b.length - 10)],
  ["empty", () => new Uint8Array()],
] as const;
