import { meetsLevel, type NomadPatchConfig, type PermissionLevel } from "../../policy/index.js";
import { renderDenialMarkdown } from "../../render/index.js";
import type { IssueJob } from "../job-context.js";

export interface Decision {
  readonly action: "approve" | "reject" | "hold";
  /** The approve label, or a command: the refusal names which was not accepted. */
  readonly via: "label" | "command";
}

/**
 * Whether `user` may approve, reject or hold here (their level when they may, else undefined), read from GitHub's permission API (never from the
 * payload's author_association). Fails closed: any error is a refusal. A refusal is explained on the
 * issue with the level needed.
 */
export async function mayDecide(
  job: IssueJob,
  config: NomadPatchConfig,
  user: string,
  decision: Decision,
): Promise<PermissionLevel | undefined> {
  const required = config.permissions.approve;
  let level: PermissionLevel | "unknown";
  try {
    level = await job.github.permissionOf(user);
  } catch (error) {
    job.log.warn({ user, ...decision, err: error }, "permission lookup failed: refusing (fail closed)");
    level = "unknown";
  }
  if (level !== "unknown" && meetsLevel(level, required)) return level;
  job.log.info({ user, ...decision, level, required }, "refused: permission too low");
  await job.github.createComment(
    renderDenialMarkdown({ user, needed: required, actual: level, ...decision }),
  );
  return undefined;
}
