import { ROLES, roleAtLeast, type Role } from '../../store/roles.js';

/**
 * The permission matrix: each permission and the weakest role that holds it. Routes declare the
 * permission they need; docs/permissions.md is generated from this table (`npm run docs:permissions`)
 * and a test fails when the two differ.
 */
export const PERMISSIONS = {
  'workspace:read': { minRole: 'viewer', description: 'see the workspace and its settings' },
  'workspace:update': { minRole: 'admin', description: 'rename the workspace, change its settings' },
  'workspace:delete': { minRole: 'owner', description: 'delete the workspace and all its data' },
  'workspace:transfer': { minRole: 'owner', description: 'transfer ownership to another member' },
  'workspace:members:read': { minRole: 'viewer', description: 'list members' },
  'workspace:members:manage': {
    minRole: 'admin',
    description: 'invite, change roles, remove members (never above own role, never the last owner)',
  },
  'workspace:audit:read': { minRole: 'admin', description: 'read the audit log' },
  'audit:revert': {
    minRole: 'admin',
    description:
      'revert changes in batch: several entries, or everything one user did in a time range (schema changes among them also need schema:manage on their table)',
  },
  'schema:manage': { minRole: 'admin', description: 'create and change bases, tables and columns' },
  'data:read': { minRole: 'viewer', description: 'read rows' },
  'data:write': { minRole: 'editor', description: 'create, change and delete rows' },
  'views:read': {
    minRole: 'viewer',
    description:
      "see views, their versions and their data, where the view's read rule admits the caller (a minimum role or named members)",
  },
  'views:manage': {
    minRole: 'editor',
    description:
      'create views and view templates; change, delete, restore, duplicate and refresh views whose edit rule admits the caller',
  },
  'views:publish': {
    minRole: 'admin',
    description:
      'publish views as public APIs (slug, auth, cache, limits, CORS), manage their API keys, read their usage',
  },
  'connections:read': {
    minRole: 'editor',
    description:
      'see connections, their status and discovered schemas (viewers read external data only through views)',
  },
  'connections:query': {
    minRole: 'editor',
    description: 'query external connections with the logical query plan',
  },
  'connections:manage': {
    minRole: 'admin',
    description: 'add, change, test and remove external connections; refresh their schema',
  },
  'connections:raw': {
    minRole: 'admin',
    description: 'run raw SQL or pipelines where a connection allows it',
  },
} as const satisfies Record<string, { minRole: Role; description: string }>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return roleAtLeast(role, PERMISSIONS[permission].minRole);
}

/** The matrix as Markdown: the source of docs/permissions.md. */
export function permissionsMarkdown(): string {
  const header = `| permission | ${ROLES.join(' | ')} | what it allows |`;
  const rule = `|---|${ROLES.map(() => ':-:').join('|')}|---|`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map(
    (p) =>
      `| \`${p}\` | ${ROLES.map((r) => (can(r, p) ? 'yes' : '—')).join(' | ')} | ${PERMISSIONS[p].description} |`,
  );
  return [
    '# Permissions',
    '',
    '<!-- Generated from dataplane/src/services/rbac/permissions.ts by `npm run docs:permissions`. Do not edit. -->',
    '',
    'Roles, strongest first: owner > admin > editor > viewer. Each route declares one permission;',
    'a caller who is not a member of the workspace gets 404, a member whose role is too low gets 403.',
    '',
    header,
    rule,
    ...rows,
    '',
    'Finer rules (services/rbac/member-policy.ts):',
    '',
    '- only an owner grants the owner role, deletes the workspace or transfers ownership;',
    '- an admin never grants a role above their own and never changes or removes an owner;',
    '- the last owner can be neither demoted nor removed, and cannot leave;',
    '- invitations never carry the owner role; ownership moves only by transfer.',
    "- a view's own rules (read and edit: a minimum role or named members) narrow `views:read` and",
    '  `views:manage` further; a base role narrows the role a view over that base is judged with.',
    '',
  ].join('\n');
}
