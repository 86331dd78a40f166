import { meetsLevel, type NomadPatchConfig, type PermissionLevel } from "../../policy/index.js";
import type { IssueJob } from "../job-context.js";
import { deniedComment } from "../messages/decision-comments.js";

/**
 * Whether `user` may approve, reject or hold here, read from GitHub's permission API (never from the
 * payload's author_association). Fails closed: any error is a refusal. A refusal is explained on the
 * issue with the level needed.
 */
export async function mayDecide(
  job: IssueJob,
  config: NomadPatchConfig,
  user: string,
  action: "approve" | "reject" | "hold",
  about: { readonly key: string | null; readonly cid: string | null } = { key: null, cid: null },
): Promise<boolean> {
  const required = config.permissions.approve;
  let level: PermissionLevel | "unknown";
  try {
    level = await job.github.permissionOf(user);
  } catch (error) {
    job.log.warn({ user, action, err: error }, "permission lookup failed: refusing (fail closed)");
    level = "unknown";
  }
  if (level !== "unknown" && meetsLevel(level, required)) return true;
  job.log.info({ user, action, level, required }, "refused: permission too low");
  await job.github.createComment(deniedComment(about, user, action, required, level));
  return false;
}
