// Roles and what each may do. One table, read by every check on the server (pages, server actions, route
// handlers, the HTTP API) and by the navigation, which only hides what the server would refuse anyway.
// Pure data: safe to import from client components.

import { enumOrder, Role } from "../db/enums";

/** The schema's Role, least privileged first (the account forms list them so). */
export const ROLES = enumOrder(Role)(["analyst", "triager", "admin"]);
export type { Role };

export const PERMISSIONS = {
  /** See events, hosts, detections, risk, notables, uploads and their reports. */
  "data:read": ["analyst", "triager", "admin"],
  /** Comment on notables. */
  "notable:comment": ["analyst", "triager", "admin"],
  /** Upload log files (web or API). */
  "upload:create": ["analyst", "triager", "admin"],
  /** Create and revoke one's own API tokens. */
  "token:own": ["analyst", "triager", "admin"],
  /** Notable workflow: status, owner, disposition, bulk actions. */
  "notable:triage": ["triager", "admin"],
  /** Create, edit, disable false-positive suppressions. */
  "suppression:manage": ["triager", "admin"],
  /** Detection settings: enable/disable, risk scores. (Ad-hoc runs are searches: data:read.) */
  "settings:manage": ["admin"],
  /** Accounts and roles, everyone's API tokens. */
  "user:manage": ["admin"],
  /** Delete uploads (and the events they brought). */
  "upload:delete": ["admin"],
  /** Read and export the audit log. */
  "audit:read": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/**
 * What an API token may do, whoever owns it: uploads and reads over HTTP. A token never carries its owner's
 * triage or admin rights, so a leaked token cannot change the queue, suppressions, settings or accounts.
 */
export const TOKEN_PERMISSIONS: readonly Permission[] = ["data:read", "upload:create"];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function roleCan(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  analyst: "read, comment, upload",
  triager: "analyst + notable workflow and suppressions",
  admin: "triager + users, detection settings, deleting uploads, audit log",
};
