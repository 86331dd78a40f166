/**
 * Remembers the last `capacity` webhook delivery ids (`x-github-delivery`; a redelivery reuses its id),
 * so a delivery seen twice is handled once. Bounded: the oldest ids are forgotten first, which is safe
 * because every action is idempotent anyway (sticky comments found by marker, the apply journal).
 */
export interface DeliveryDedupe {
  /** True when the id was not seen (or was forgotten); does not remember it. */
  isNew(deliveryId: string): boolean;
  /** Remembers the id: later deliveries with it are redeliveries. */
  remember(deliveryId: string): void;
}

export function createDeliveryDedupe(capacity = 5000): DeliveryDedupe {
  const seen = new Set<string>();
  return {
    isNew: (deliveryId) => !seen.has(deliveryId),
    remember(deliveryId) {
      seen.delete(deliveryId);
      seen.add(deliveryId);
      while (seen.size > capacity) {
        const oldest = seen.values().next().value;
        if (oldest === undefined) break;
        seen.delete(oldest);
      }
    },
  };
}
