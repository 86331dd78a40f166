export interface CachedBlock {
  /** Absent for a value read back decoded (`setValue`): a read of the bytes fetches them again. */
  readonly bytes: Uint8Array | undefined;
  readonly size: number;
  readonly decoded: boolean;
  readonly value: unknown;
  readonly cost: number;
}

export interface BlockLru {
  /** The block, now the most recently used. */
  get(key: string): CachedBlock | undefined;
  /** Whether the block is held, without counting as a use (a prefetch meeting a block it already has). */
  has(key: string): boolean;
  /** Keep a block's bytes (and its decoded value, if one is kept for it already). */
  set(key: string, bytes: Uint8Array): void;
  /**
   * Keep the decoded value beside the bytes of the block just read with `get` (its estimated size
   * counts against the bound). It is already the most recently used, so it is not moved again.
   */
  setDecoded(key: string, value: unknown): void;
  /** Keep a decoded value without its bytes, for a block of `size` bytes checked when it was decoded. */
  setValue(key: string, value: unknown, size: number): void;
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

  /** Kept as the most recently used. */
  const put = (key: string, entry: CachedBlock) => {
    const old = map.get(key);
    if (old) {
      total -= old.cost;
      map.delete(key);
    }
    map.set(key, entry);
    total += entry.cost;
    evict();
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
      if (old?.decoded) put(key, decodedEntry(bytes, old.value, bytes.byteLength));
      else
        put(key, {
          bytes,
          size: bytes.byteLength,
          decoded: false,
          value: undefined,
          cost: bytes.byteLength + PER_BLOCK,
        });
    },
    setDecoded(key, value) {
      const entry = map.get(key);
      if (!entry) return;
      const decoded = decodedEntry(entry.bytes, value, entry.size);
      // Replaced where it stands: a Map keeps a key's place when its value changes.
      map.set(key, decoded);
      total += decoded.cost - entry.cost;
      evict();
    },
    setValue: (key, value, size) => put(key, decodedEntry(undefined, value, size)),
    size: () => map.size,
    bytes: () => total,
  };
}

/** A decoded block is counted at its estimated decoded size, with or without its bytes beside it. */
function decodedEntry(bytes: Uint8Array | undefined, value: unknown, size: number): CachedBlock {
  return { bytes, size, decoded: true, value, cost: size * (1 + DECODED_FACTOR) + PER_BLOCK + PER_DECODED };
}
