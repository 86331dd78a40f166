import * as dagJson from "@ipld/dag-json";
import { UsageError } from "../errors.js";
import type { IpldValue } from "../nomad/index.js";

/** Parse DAG-JSON typed by a person (links as `{"/": "bafy…"}`); errors say where the text came from. */
export function parseDagJson(text: string, where: string): IpldValue {
  try {
    return dagJson.decode(new TextEncoder().encode(text)) as IpldValue;
  } catch (error) {
    throw new UsageError(`${where} is not valid DAG-JSON: ${(error as Error).message}`);
  }
}
