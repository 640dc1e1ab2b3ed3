import type { SchemaMigration } from '../../migration-source.js';
import { identityAndWorkspaces } from './001-identity-and-workspaces.js';
import { resourceDirectory } from './002-resource-directory.js';
import { baseRoles } from './003-base-roles.js';
import { viewRefreshSchedule } from './004-view-refresh-schedule.js';
import { publicApiSlugs } from './005-public-api-slugs.js';

/** Control-schema migrations in order. Append only. */
export const controlMigrations: SchemaMigration[] = [
  identityAndWorkspaces,
  resourceDirectory,
  baseRoles,
  viewRefreshSchedule,
  publicApiSlugs,
];
