/**
 * Serialises work per key inside this process (one target's applies and reviews run one
 * at a time; other targets proceed). Returns the task's result.
 */
export function createKeyedLock() {
  const tails = new Map<string, Promise<unknown>>();
  return async function withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => {});
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      // Forget the key once nothing is queued behind this task, so the map stays small.
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
