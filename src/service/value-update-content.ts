import type { IpfsStore } from "../ipfs/store.js";
import { encodeValueUpdateEvent, type IpldValue } from "../nomad/index.js";

/**
 * A ValueUpdateEvent's content as the C# SDK writes it: the key and value are put as their own (pinned)
 * blocks and linked; an absent one is written as null.
 */
export async function putValueUpdate(
  store: IpfsStore,
  update: { readonly key?: IpldValue; readonly value?: IpldValue; readonly unset?: boolean },
): Promise<IpldValue> {
  const key = update.key === undefined ? null : await store.dagPut(update.key, { pin: true });
  const value = update.value === undefined ? null : await store.dagPut(update.value, { pin: true });
  return encodeValueUpdateEvent({ key, value, unset: update.unset ?? false });
}
