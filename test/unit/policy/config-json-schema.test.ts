import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../../src/policy/index.js";

const SCHEMA_FILE = new URL("../../../schema/nomad-patch.schema.json", import.meta.url);
const REGENERATE =
  "NOMAD_PATCH_WRITE_SCHEMA=1 npx vitest run test/unit/policy/config-json-schema.test.ts && npx biome format --write schema";

describe("configJsonSchema", () => {
  it("matches the committed schema/nomad-patch.schema.json", () => {
    const generated = configJsonSchema();
    // Writing from the test keeps src/policy free of file I/O and the project free of a generator script.
    if (process.env.NOMAD_PATCH_WRITE_SCHEMA === "1") {
      writeFileSync(SCHEMA_FILE, `${JSON.stringify(generated, null, 2)}\n`);
    }
    let committed: unknown;
    try {
      committed = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
    } catch (error) {
      throw new Error(`schema/nomad-patch.schema.json cannot be read; regenerate it with:\n  ${REGENERATE}`, {
        cause: error,
      });
    }
    expect(
      committed,
      `schema/nomad-patch.schema.json is out of date; regenerate it with:\n  ${REGENERATE}`,
    ).toEqual(generated);
  });

  it("describes what a person writes: unknown keys refused, only targets required, defaults shown", () => {
    const schema = configJsonSchema() as {
      $schema: string;
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }>;
    };
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["targets"]);
    expect(schema.properties.permissions?.properties?.approve?.default).toBe("write");
    expect(schema.properties.limits?.properties?.maxEntries?.default).toBe(1000);
    expect(schema.properties.closeIssueOnApply?.default).toBe(false);
  });
});
