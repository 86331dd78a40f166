import { type ConfigIssue, configIssue, type NomadPatchConfig, parseConfigYaml } from "../policy/index.js";
import type { IssueGitHub } from "./github/issue-github.js";

export const CONFIG_PATH = ".github/nomad-patch.yml";

export type RepoConfig =
  | { readonly status: "ok"; readonly config: NomadPatchConfig; readonly warnings: readonly ConfigIssue[] }
  | {
      readonly status: "invalid";
      readonly errors: readonly ConfigIssue[];
      /** There is no file at all (the app installed before it was committed). */
      readonly missing?: true;
    };

/**
 * The repository's `.github/nomad-patch.yml`, read as raw text from the default branch rather than with
 * Probot's `context.config`: that one deep-merges `_extends` files and hands back parsed data, losing the
 * line numbers a maintainer needs to fix a mistake. A missing file is reported like an invalid one: the
 * bot knows no targets, so it cannot take patches.
 */
export async function loadRepoConfig(github: Pick<IssueGitHub, "readFile">): Promise<RepoConfig> {
  const text = await github.readFile(CONFIG_PATH);
  if (text === undefined) {
    return {
      status: "invalid",
      missing: true,
      errors: [
        configIssue([], `is missing: commit ${CONFIG_PATH} naming the Nomad targets this repository takes`),
      ],
    };
  }
  const result = parseConfigYaml(text);
  return result.ok
    ? { status: "ok", config: result.config, warnings: result.warnings }
    : { status: "invalid", errors: result.errors };
}
