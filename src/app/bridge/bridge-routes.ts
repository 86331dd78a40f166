import type { InboxConfig, NomadPatchConfig } from "../../policy/index.js";
import { loadRepoConfig } from "../load-config.js";
import type { BridgeGitHub } from "./bridge-github.js";

/** Where a target's inbox arrivals become issues, and on what terms. */
export interface BridgeRoute {
  readonly target: string;
  readonly repository: string;
  readonly github: BridgeGitHub;
  readonly inbox: InboxConfig;
  /** The target's display name in the configuration, if any. */
  readonly targetName: string | undefined;
}

/** The targets a repository's configuration bridges: its `inbox.targets`, or all its targets. */
export function bridgedTargets(config: NomadPatchConfig): string[] {
  if (!config.inbox?.openIssues) return [];
  return config.inbox.targets ?? config.targets.map((target) => target.id);
}

/** A repository's configuration, read again: undefined when it no longer bridges `target`. */
export async function routeFor(
  github: BridgeGitHub,
  repository: string,
  target: string,
): Promise<BridgeRoute | undefined> {
  const read = await loadRepoConfig(github);
  if (read.status !== "ok" || !bridgedTargets(read.config).includes(target)) return undefined;
  return routeFromConfig(github, repository, target, read.config);
}

export interface ReadRoutes {
  readonly routes: Map<string, BridgeRoute>;
  /** Repositories that could not be read now (GitHub failed): worth another try later. */
  readonly failed: readonly string[];
}

/**
 * The routes of the deployment's repositories (`NOMAD_PATCH_INBOX_REPOSITORIES`, in order), one
 * repository at a time. A target claimed by two repositories goes to the first one listed: one key
 * must become one issue, not one per repository.
 */
export async function readRoutes(
  repositories: readonly string[],
  connect: (repository: string) => Promise<BridgeGitHub>,
  log: (fields: object, message: string) => void,
): Promise<ReadRoutes> {
  const routes = new Map<string, BridgeRoute>();
  const failed: string[] = [];
  for (const repository of repositories) {
    let github: BridgeGitHub;
    let read: Awaited<ReturnType<typeof loadRepoConfig>>;
    try {
      github = await connect(repository);
      read = await loadRepoConfig(github);
    } catch (error) {
      log({ repository, err: error }, "inbox bridge: the repository could not be read; trying again later");
      failed.push(repository);
      continue;
    }
    if (read.status !== "ok") {
      log(
        { repository, errors: read.errors.length },
        "inbox bridge: the repository's configuration is unusable",
      );
      continue;
    }
    const targets = bridgedTargets(read.config);
    if (targets.length === 0) log({ repository }, "inbox bridge: the repository opens no issues for inboxes");
    for (const target of targets) {
      const claimed = routes.get(target);
      if (claimed) {
        log(
          { repository, target, claimedBy: claimed.repository },
          "inbox bridge: the target's inbox already opens issues in another repository: refused here",
        );
        continue;
      }
      routes.set(target, routeFromConfig(github, repository, target, read.config));
    }
  }
  return { routes, failed };
}

function routeFromConfig(
  github: BridgeGitHub,
  repository: string,
  target: string,
  config: NomadPatchConfig,
): BridgeRoute {
  return {
    target,
    repository,
    github,
    inbox: config.inbox as InboxConfig,
    targetName: config.targets.find((t) => t.id === target)?.name,
  };
}
