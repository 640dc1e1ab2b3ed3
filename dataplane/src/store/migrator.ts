import type { Knex } from 'knex';
import { withAdvisoryLock, type Database } from '../platform/database.js';
import type { Logger } from '../platform/logger.js';
import { migrationSource, type SchemaMigration } from './migration-source.js';
import { controlMigrations } from './migrations/control/index.js';
import { workspaceMigrations } from './migrations/workspace/index.js';
import { quoteIdent } from './identifiers.js';

// Control and workspace migrations may share one schema (tenant mode), so their bookkeeping
// tables have different names.
const CONTROL_TABLE = 'lt_migrations_control';
const WORKSPACE_TABLE = 'lt_migrations_workspace';

async function migrateSchema(
  knex: Knex,
  schema: string,
  migrations: SchemaMigration[],
  tableName: string,
): Promise<string[]> {
  await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  const [, applied] = (await knex.migrate.latest({
    schemaName: schema,
    tableName,
    migrationSource: migrationSource(migrations, schema),
  })) as [number, string[]];
  return applied;
}

export function migrateWorkspaceSchema(knex: Knex, schema: string): Promise<string[]> {
  return migrateSchema(knex, schema, workspaceMigrations, WORKSPACE_TABLE);
}

/**
 * Brings the control schema and every workspace schema up to date. Processes starting together
 * queue on one advisory lock, so exactly one runs each migration and the others find it done.
 */
export async function migrateAll(db: Database, controlSchema: string, log: Logger): Promise<void> {
  await withAdvisoryLock(db, 'live-tables:migrations', async () => {
    const applied = await migrateSchema(db.knex, controlSchema, controlMigrations, CONTROL_TABLE);
    if (applied.length) log.info({ schema: controlSchema, applied }, 'control schema migrated');
    const workspaces = await db.knex
      .withSchema(controlSchema)
      .from('workspaces')
      .select<{ schema_name: string }[]>('schema_name');
    for (const { schema_name: schema } of workspaces) {
      const done = await migrateWorkspaceSchema(db.knex, schema);
      if (done.length) log.info({ schema, applied: done }, 'workspace schema migrated');
    }
  });
}
