import type { CID } from "multiformats/cid";
import type { KuboNode } from "../../helpers/kubo.js";

/**
 * Hostile publishing: any bytes as a block of any codec, behind a fresh IPNS key, exactly as a
 * stranger's node could serve them. Returns the key people would post and the block's CID.
 */
export async function publishBlockUnderKey(
  node: KuboNode,
  keyName: string,
  bytes: Uint8Array,
  format: "raw" | "dag-cbor" | "dag-json" | "dag-pb",
  options: { readonly allowBigBlock?: boolean } = {},
): Promise<{ key: string; cid: CID }> {
  const key = await node.store.generateKey(keyName);
  const cid = await node.store.rpc.block.put(bytes, {
    format,
    mhtype: "sha2-256",
    allowBigBlock: options.allowBigBlock ?? false,
  });
  await node.store.publishName(keyName, cid, { allowOffline: true });
  return { key: key.id, cid };
}
