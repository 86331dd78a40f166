import type { CID } from "multiformats/cid";
import type { IpfsStore, ResolveOptions } from "../ipfs/store.js";
import { decodeEventStream, type EventStream, type IpnsName } from "../nomad/index.js";
import { SourceUnreachableError } from "./apply-errors.js";

/**
 * This node's own stream for a target, as its local key publishes it now. A device appends to that stream
 * and never starts one afresh: a stream written without it would drop every entry the node published
 * before, on every device. C# does the same: the holder of a pairing resolves its stream and guards the
 * result before appending (OwlCore.Nomad.Kubo:src/KeyExchange.cs `ReceiveLocalKeyAsync`,
 * `Guard.IsNotNull(localEventStream)`), and a handler is only modifiable once its local stream resolved
 * (OwlCore.Nomad.Kubo:src/NomadKuboRepositoryBase.cs `GetAsync`, `HasLocalKvp`). `init` publishes the
 * first, empty one, so a name that does not resolve is an expired record (the node was away for longer
 * than its lifetime and Kubo has not republished it yet), never a stream to create: nothing is written.
 */
export async function readOwnStream(
  store: IpfsStore,
  targetId: string,
  localId: IpnsName,
  resolve?: ResolveOptions,
): Promise<{ readonly cid: CID; readonly stream: EventStream }> {
  const cid = await store.resolveName(localId, { nocache: true, ...resolve });
  if (!cid) throw new SourceUnreachableError(targetId, [{ id: localId, via: "this node's own local key" }]);
  return { cid, stream: decodeEventStream(await store.dagGet(cid), cid.toString()) };
}
