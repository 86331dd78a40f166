import { expect } from "vitest";
import type { NomadPatchConfig, NomadPatchConfigInput } from "../../../src/policy/index.js";
import { parseConfig } from "../../../src/policy/index.js";

/** Three Ed25519 IPNS names in base36, with other forms of the first one. */
export const TARGET_A = "k51qzi5uqu5dgyjdkh7ybqhx5cwbgvgdxpx3q2ryk4d13gj73nxk3db3o42z20";
export const TARGET_A_BASE32 = "bafzaajaiaejcahzgfu2dwqsjkblv4zlmon5idceps2o2jk5sxhamptwv3tr6v4py";
export const TARGET_A_PEER_ID = "12D3KooWBuxa56fPTmS2fbVXCq4VL6pRx3YAc5oLEww4MQzhHyHR";
export const TARGET_B = "k51qzi5uqu5dhqgnau0ej3mpx5212ixngzckc1n8dmyggz7sbe458ap5ebnc47";
export const TARGET_C = "k51qzi5uqu5diidx16suqgriox7qo6ex08s0y0ii75jvuhwdj0e16wm0aotr92";

/** A valid configuration with one target, plus whatever the test overrides; fails the test if invalid. */
export function buildConfig(overrides: Partial<NomadPatchConfigInput> = {}): NomadPatchConfig {
  const result = parseConfig({ targets: [{ id: TARGET_A }], ...overrides });
  expect(result.errors).toEqual([]);
  if (!result.ok) throw new Error("unreachable: errors were asserted empty");
  return result.config;
}

/** The `path: message` lines of a configuration's errors, for exact assertions. */
export function errorLines(input: unknown): string[] {
  return parseConfig(input).errors.map((issue) => `${issue.path}: ${issue.message}`);
}

export function warningLines(input: unknown): string[] {
  return parseConfig(input).warnings.map((issue) => `${issue.path}: ${issue.message}`);
}
