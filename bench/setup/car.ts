import * as dagCbor from "@ipld/dag-cbor";
import type { CID } from "multiformats/cid";

/**
 * A CARv1 file (the format `ipfs dag import` reads): a DAG-CBOR header naming the roots, then each
 * block as varint(length) · CID bytes · block bytes. Small enough to write here rather than add a package.
 */
export function encodeCar(
  roots: readonly CID[],
  blocks: readonly { cid: CID; bytes: Uint8Array }[],
): Uint8Array {
  const header = dagCbor.encode({ roots: [...roots], version: 1 });
  const parts: Uint8Array[] = [varint(header.length), header];
  for (const { cid, bytes } of blocks) {
    parts.push(varint(cid.bytes.length + bytes.length), cid.bytes, bytes);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return new Uint8Array(bytes);
}

/** Stores every block of `car` in one request (no pinning: the bench's nodes never collect garbage). */
export async function importCar(apiUrl: string, car: Uint8Array): Promise<void> {
  const body = new FormData();
  body.append("file", new Blob([car]), "blocks.car");
  const response = await fetch(`${apiUrl}/api/v0/dag/import?pin-roots=false`, { method: "POST", body });
  const text = await response.text();
  if (!response.ok) throw new Error(`dag/import: HTTP ${response.status}: ${text.slice(0, 200)}`);
}
