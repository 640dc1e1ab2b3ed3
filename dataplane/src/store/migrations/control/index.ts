import type { SchemaMigration } from '../../migration-source.js';
import { identityAndWorkspaces } from './001-identity-and-workspaces.js';

/** Control-schema migrations in order. Append only. */
export const controlMigrations: SchemaMigration[] = [identityAndWorkspaces];
