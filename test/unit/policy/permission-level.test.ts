import { describe, expect, it } from "vitest";
import { meetsLevel, PERMISSION_LEVELS, permissionFromGitHub } from "../../../src/policy/index.js";

describe("meetsLevel", () => {
  it("orders none < read < triage < write < maintain < admin", () => {
    expect(PERMISSION_LEVELS).toEqual(["none", "read", "triage", "write", "maintain", "admin"]);
    expect(meetsLevel("write", "write")).toBe(true);
    expect(meetsLevel("admin", "write")).toBe(true);
    expect(meetsLevel("maintain", "write")).toBe(true);
    expect(meetsLevel("triage", "write")).toBe(false);
    expect(meetsLevel("read", "triage")).toBe(false);
    expect(meetsLevel("none", "read")).toBe(false);
  });

  it("fails closed on values that are not levels", () => {
    expect(meetsLevel("owner" as never, "read")).toBe(false);
    expect(meetsLevel("admin", "superuser" as never)).toBe(false);
    expect(meetsLevel(undefined as never, "read")).toBe(false);
  });
});

describe("permissionFromGitHub", () => {
  it("uses role_name to tell maintain from write and triage from read", () => {
    expect(permissionFromGitHub({ permission: "admin", role_name: "admin" })).toBe("admin");
    expect(permissionFromGitHub({ permission: "write", role_name: "maintain" })).toBe("maintain");
    expect(permissionFromGitHub({ permission: "write", role_name: "write" })).toBe("write");
    expect(permissionFromGitHub({ permission: "read", role_name: "triage" })).toBe("triage");
    expect(permissionFromGitHub({ permission: "read", role_name: "read" })).toBe("read");
    expect(permissionFromGitHub({ permission: "none", role_name: "none" })).toBe("none");
  });

  it("falls back to the legacy permission for custom roles and a missing role_name", () => {
    expect(permissionFromGitHub({ permission: "write", role_name: "release-manager" })).toBe("write");
    expect(permissionFromGitHub({ permission: "read", role_name: "security-auditor" })).toBe("read");
    expect(permissionFromGitHub({ permission: "admin" })).toBe("admin");
  });

  it("takes the lower reading when the two fields disagree", () => {
    expect(permissionFromGitHub({ permission: "read", role_name: "admin" })).toBe("read");
    expect(permissionFromGitHub({ permission: "write", role_name: "triage" })).toBe("triage");
    expect(permissionFromGitHub({ permission: "none", role_name: "maintain" })).toBe("none");
  });

  it("fails closed to none on anything unusable", () => {
    expect(permissionFromGitHub(undefined)).toBe("none");
    expect(permissionFromGitHub(null)).toBe("none");
    expect(permissionFromGitHub({})).toBe("none");
    expect(permissionFromGitHub({ role_name: "admin" })).toBe("none");
    expect(permissionFromGitHub({ permission: "maintain" })).toBe("none");
    expect(permissionFromGitHub({ permission: "ADMIN", role_name: "admin" })).toBe("none");
    expect(permissionFromGitHub({ permission: 3, role_name: ["admin"] })).toBe("none");
  });
});
