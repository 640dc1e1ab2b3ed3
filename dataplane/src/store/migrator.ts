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

/**
 * CREATE SCHEMA checks the CREATE privilege on the database before it looks for the schema, so
 * even IF NOT EXISTS fails for a tenant role that owns its schema and may create nothing else.
 */
async function ensureSchema(knex: Knex, schema: string): Promise<void> {
  const found = await knex.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_namespace WHERE nspname = ?', [schema]);
  if (found.rows.length === 0) await knex.raw(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
}

async function migrateSchema(
  knex: Knex,
  schema: string,
  migrations: SchemaMigration[],
  tableName: string,
): Promise<string[]> {
  await ensureSchema(knex, schema);
  const [, applied] = (await knex.migrate.latest({
    schemaName: schema,
    tableName,
    migrationSource: migrationSource(migrations, schema),
  })) as [number, string[]];
  return applied;
}

/**
 * Workspace schemas are migrated inside the caller's transaction, so a workspace and its schema
 * are created (or not) together. Callers serialise per schema: a new schema is private to the
 * transaction creating it, and start-up runs under the migrations advisory lock.
 */
export async function migrateWorkspaceSchema(trx: Knex, schema: string): Promise<string[]> {
  const s = quoteIdent(schema);
  await ensureSchema(trx, schema);
  await trx.raw(
    `CREATE TABLE IF NOT EXISTS ${s}.${WORKSPACE_TABLE} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const done = new Set(
    (await trx.withSchema(schema).table(WORKSPACE_TABLE).select<{ name: string }[]>('name')).map(
      (r) => r.name,
    ),
  );
  const applied: string[] = [];
  for (const migration of workspaceMigrations) {
    if (done.has(migration.name)) continue;
    await migration.up(trx, schema);
    await trx.withSchema(schema).table(WORKSPACE_TABLE).insert({ name: migration.name });
    applied.push(migration.name);
  }
  return applied;
}

/**
 * Brings the control schema and every workspace schema up to date. Processes starting together
 * queue on one advisory lock, so exactly one runs each migration and the others find it done.
 */
export async function migrateAll(
  db: Database,
  controlSchema: string,
  log: Logger,
  /** Runs under the lock between control and workspace migrations (tenant mode makes its workspace). */
  beforeWorkspaces: (knex: Knex) => Promise<void> = async () => undefined,
): Promise<void> {
  await withAdvisoryLock(db, 'live-tables:migrations', async () => {
    const applied = await migrateSchema(db.knex, controlSchema, controlMigrations, CONTROL_TABLE);
    if (applied.length) log.info({ schema: controlSchema, applied }, 'control schema migrated');
    await beforeWorkspaces(db.knex);
    const workspaces = await db.knex
      .withSchema(controlSchema)
      .from('workspaces')
      .select<{ schema_name: string }[]>('schema_name');
    for (const { schema_name: schema } of workspaces) {
      const done = await db.knex.transaction((trx) => migrateWorkspaceSchema(trx, schema));
      if (done.length) log.info({ schema, applied: done }, 'workspace schema migrated');
    }
  });
}
