import type { z } from "zod";
import type { PathSegment } from "./config-issue.js";

interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly shape?: Readonly<Record<string, z.ZodType>>;
}

/**
 * The keys a mapping may hold at `segments` in `schema`, so that an unknown key can be answered with
 * the allowed ones and a likely typo. Walks zod's public definitions; `[]` where there is no mapping.
 */
export function allowedKeysAt(schema: z.ZodType, segments: readonly PathSegment[]): string[] {
  let current: z.ZodType | undefined = schema;
  for (const segment of segments) {
    current = current === undefined ? undefined : childOf(current, segment);
  }
  const shape = current === undefined ? undefined : objectDef(current)?.shape;
  return shape ? Object.keys(shape) : [];
}

function childOf(schema: z.ZodType, segment: PathSegment): z.ZodType | undefined {
  const def = unwrap(schema);
  if (def.type === "object" && typeof segment === "string") return def.shape?.[segment];
  if (def.type === "array" && typeof segment === "number") return def.element;
  if (def.type === "union") {
    for (const option of def.options ?? []) {
      const child = childOf(option, segment);
      if (child) return child;
    }
  }
  return undefined;
}

function objectDef(schema: z.ZodType): SchemaDef | undefined {
  const def = unwrap(schema);
  if (def.type === "object") return def;
  if (def.type === "union") return (def.options ?? []).map(objectDef).find((found) => found !== undefined);
  return undefined;
}

/** Look through wrappers (defaults, optionals, transforms) to the schema that checks the shape. */
function unwrap(schema: z.ZodType): SchemaDef {
  let def = schema._zod.def as unknown as SchemaDef;
  for (let depth = 0; depth < 16; depth++) {
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (!inner) break;
    def = inner._zod.def as unknown as SchemaDef;
  }
  return def;
}
