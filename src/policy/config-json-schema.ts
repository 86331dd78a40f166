import { z } from "zod";
import { ConfigSchema } from "./config-schema.js";

/**
 * The JSON Schema of `.github/nomad-patch.yml`, generated from the one zod schema so the two cannot
 * disagree. It describes what a person writes (the input side: defaults make keys optional); checks
 * that JSON Schema cannot state (IPNS names, pattern syntax, cross-field rules) happen in `parseConfig`.
 * Editors use it through `# yaml-language-server: $schema=…`; a unit test keeps the committed copy
 * in `schema/` in step.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}
