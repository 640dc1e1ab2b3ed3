/** Workspace roles, strongest first. The database CHECK constraint lists the same four. */
export const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { owner: 4, admin: 3, editor: 2, viewer: 1 };

export const roleRank = (role: Role): number => RANK[role];

/** True when `role` is at least as strong as `atLeast`. */
export const roleAtLeast = (role: Role, atLeast: Role): boolean => RANK[role] >= RANK[atLeast];
