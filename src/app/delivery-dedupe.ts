/**
 * Remembers the last `capacity` webhook delivery ids (`x-github-delivery`; a redelivery reuses its id),
 * so a delivery seen twice is handled once. Bounded: the oldest ids are forgotten first, which is safe
 * because every action is idempotent anyway (sticky comments found by marker, the apply journal).
 */
export function createDeliveryDedupe(capacity = 5000): (deliveryId: string) => boolean {
  const seen = new Set<string>();
  return (deliveryId) => {
    if (seen.has(deliveryId)) return false;
    seen.add(deliveryId);
    if (seen.size > capacity) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    return true;
  };
}
