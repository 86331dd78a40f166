export interface CachedBlock {
  readonly bytes: Uint8Array;
  readonly decoded: boolean;
  readonly value: unknown;
  readonly cost: number;
}

export interface BlockLru {
  get(key: string): CachedBlock | undefined;
  set(key: string, bytes: Uint8Array): void;
  /** Keep the decoded value beside the bytes (its estimated size counts against the bound). */
  setDecoded(key: string, value: unknown): void;
  size(): number;
  bytes(): number;
}

/**
 * A decoded Nomad block (maps, strings, CID objects) takes several times its encoded size in the
 * heap: an estimate of four times its size more, plus a fixed part per object, is counted for it.
 */
const DECODED_FACTOR = 4;
const PER_BLOCK = 200;
const PER_DECODED = 600;

/**
 * Blocks by CID, least recently used first out, bounded both in blocks and in (estimated) bytes, so a
 * long-running process stays flat however large the DAGs it reads. A Map keeps insertion order:
 * re-inserting on read makes the first key the least recently used.
 */
export function blockLru(bounds: { readonly maxBlocks: number; readonly maxBytes: number }): BlockLru {
  const map = new Map<string, CachedBlock>();
  let total = 0;

  const put = (key: string, entry: CachedBlock) => {
    const old = map.get(key);
    if (old) {
      total -= old.cost;
      map.delete(key);
    }
    map.set(key, entry);
    total += entry.cost;
    while (map.size > bounds.maxBlocks || (total > bounds.maxBytes && map.size > 1)) {
      const oldest = map.keys().next().value as string;
      total -= map.get(oldest)?.cost ?? 0;
      map.delete(oldest);
    }
  };

  return {
    get(key) {
      const entry = map.get(key);
      if (entry) {
        map.delete(key);
        map.set(key, entry);
      }
      return entry;
    },
    set: (key, bytes) =>
      put(key, { bytes, decoded: false, value: undefined, cost: bytes.byteLength + PER_BLOCK }),
    setDecoded(key, value) {
      const entry = map.get(key);
      if (!entry) return;
      const size = entry.bytes.byteLength;
      put(key, {
        bytes: entry.bytes,
        decoded: true,
        value,
        cost: size * (1 + DECODED_FACTOR) + PER_BLOCK + PER_DECODED,
      });
    },
    size: () => map.size,
    bytes: () => total,
  };
}
