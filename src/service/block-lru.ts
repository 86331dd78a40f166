export interface CachedBlock {
  readonly bytes: Uint8Array;
  readonly decoded: boolean;
  readonly value: unknown;
  readonly cost: number;
}

export interface BlockLru {
  /** The block, now the most recently used. */
  get(key: string): CachedBlock | undefined;
  /** Whether the block is held, without counting as a use (a prefetch meeting a block it already has). */
  has(key: string): boolean;
  set(key: string, bytes: Uint8Array): void;
  /**
   * Keep the decoded value beside the bytes of the block just read with `get` (its estimated size
   * counts against the bound). It is already the most recently used, so it is not moved again.
   */
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

  const evict = () => {
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
    has: (key) => map.has(key),
    set(key, bytes) {
      const old = map.get(key);
      if (old) {
        total -= old.cost;
        map.delete(key);
      }
      const cost = bytes.byteLength + PER_BLOCK;
      map.set(key, { bytes, decoded: false, value: undefined, cost });
      total += cost;
      evict();
    },
    setDecoded(key, value) {
      const entry = map.get(key);
      if (!entry) return;
      const cost = entry.bytes.byteLength * (1 + DECODED_FACTOR) + PER_BLOCK + PER_DECODED;
      // Replaced where it stands: a Map keeps a key's place when its value changes.
      map.set(key, { bytes: entry.bytes, decoded: true, value, cost });
      total += cost - entry.cost;
      evict();
    },
    size: () => map.size,
    bytes: () => total,
  };
}
