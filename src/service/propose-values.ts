import { CID } from "multiformats/cid";
import { UsageError } from "../errors.js";
import type { IpfsStore } from "../ipfs/store.js";
import { encodeValueUpdateEvent, type IpldMap, type IpldValue, isIpldMap } from "../nomad/index.js";
import { parseDagJson } from "./propose-dag-json.js";
import type { EntryDraft } from "./propose-entries.js";
import { type FieldSpec, valueFields } from "./propose-value-fields.js";
import { putValueUpdate } from "./value-update-content.js";

/** `--set Name="My App"`, `--add Links='{…}'`, `--remove Features=x`. */
export interface ValueOperation {
  readonly op: "set" | "add" | "remove";
  readonly field: string;
  readonly value: string;
}

/**
 * The entries a value module's own app would write for each operation, in the order given: the
 * EventId from the field table, a ValueUpdateEvent whose Key and Value link to value blocks.
 * Removing a record or a role by id looks the whole item up in the target's current state, because the
 * module removes by equality with what it holds.
 */
export async function planValueChanges(
  store: IpfsStore,
  input: {
    readonly module: string;
    readonly targetId: string;
    readonly state: IpldMap;
    readonly operations: readonly ValueOperation[];
  },
): Promise<EntryDraft[]> {
  const fields = valueFields[input.module];
  if (!fields) {
    throw new UsageError(
      `The target is a ${input.module} object, which has no editable fields here; use --entries or --from-folder`,
    );
  }
  const drafts: EntryDraft[] = [];
  for (const operation of input.operations) {
    const spec = fields[operation.field];
    if (!spec) {
      throw new UsageError(
        `${input.module} has no field ${JSON.stringify(operation.field)}; known: ${Object.keys(fields).join(", ")}`,
      );
    }
    const { eventId, content } = await contentFor(store, spec, operation, input.state);
    drafts.push({ targetId: input.targetId, eventId, content });
  }
  return drafts;
}

async function contentFor(
  store: IpfsStore,
  spec: FieldSpec,
  { op, field, value }: ValueOperation,
  state: IpldMap,
): Promise<{ eventId: string; content: IpldValue }> {
  const where = `--${op} ${field}`;
  if ("set" in spec) {
    if (op !== "set") throw new UsageError(`${field} is a single value: use --set ${field}=…`);
    const optional = spec.type.startsWith("optional-");
    if (optional && value === "null") {
      // ForgetMe is cleared with a Value linking to a null block: C# throws on a null Value
      // (ModifiableEntity.ApplyEntryUpdateAsync), while the accent colour clears on Unset alone.
      const clear = spec.type === "optional-flag" ? { value: null, unset: true } : { unset: true };
      return { eventId: spec.set, content: await putValueUpdate(store, clear) };
    }
    const parsed = spec.type.endsWith("flag") ? flag(value, where) : value;
    return { eventId: spec.set, content: await putValueUpdate(store, { value: parsed }) };
  }
  if (op === "set") throw new UsageError(`${field} is a list: use --add ${field}=… or --remove ${field}=…`);
  const eventId = op === "add" ? spec.add : spec.remove;
  if (!("idField" in spec)) {
    if (spec.type === "item") return { eventId, content: await putValueUpdate(store, { value }) };
    const record =
      op === "add" ? asRecord(parseDagJson(value, where), "Id", where) : findItem(state, field, "Id", value);
    return { eventId, content: await putValueUpdate(store, { key: record.Id, value: record }) };
  }
  const list = state[field];
  if (op === "add") {
    const pair = asRecord(parseDagJson(value, where), spec.idField, where);
    if (!isIpldMap(pair.Role)) throw new UsageError(`${where} needs a Role record {Id, Name, Description}`);
    return { eventId, content: await putValueUpdate(store, { key: pair[spec.idField], value: pair.Role }) };
  }
  const pair = findItem({ [field]: list ?? [] }, field, spec.idField, value);
  const role = CID.asCID(pair.Role);
  if (!role) throw new UsageError(`${field} item ${value} holds no Role link`);
  // The module compares the Role link itself: link the very block the state holds.
  const key = await store.dagPut(value, { pin: true });
  return { eventId, content: encodeValueUpdateEvent({ key, value: role, unset: false }) };
}

function flag(value: string, where: string): boolean {
  if (value === "true" || value === "false") return value === "true";
  throw new UsageError(`${where} takes true or false, got ${JSON.stringify(value)}`);
}

function asRecord(value: IpldValue, idField: string, where: string): IpldMap {
  if (!isIpldMap(value) || typeof value[idField] !== "string")
    throw new UsageError(`${where} needs a JSON object with a string ${idField}`);
  return value;
}

function findItem(state: IpldMap, field: string, idField: string, id: string): IpldMap {
  const list = Array.isArray(state[field]) ? (state[field] as IpldValue[]) : [];
  const found = list.find((item) => isIpldMap(item) && item[idField] === id);
  if (!found || !isIpldMap(found)) {
    const ids = list.map((item) => (isIpldMap(item) ? String(item[idField]) : "?"));
    throw new UsageError(
      `${field} has no item with ${idField} ${JSON.stringify(id)}; it has: ${ids.join(", ") || "none"}`,
    );
  }
  return found;
}
