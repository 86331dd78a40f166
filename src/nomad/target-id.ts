/**
 * Whether an entry's `TargetId` addresses the object `rootId` or one of its sub-objects. Sub-object ids
 * are `{parent}/{name}` (Storage folders and files), so `k51…x/file` is under `k51…x`, while the
 * look-alike `k51…xy/file` is not. A patch may only touch its own target: this is that boundary.
 */
export function isWithinObject(targetId: string, rootId: string): boolean {
  return targetId === rootId || targetId.startsWith(`${rootId}/`);
}
