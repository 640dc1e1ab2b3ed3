import pg from 'pg';
import type { Knex } from 'knex';
import { createDatabase } from '../../../dataplane/src/platform/database.js';
import type { Logger } from '../../../dataplane/src/platform/logger.js';
import {
  TenantBootstrap,
  type TenantSpec,
} from '../../../dataplane/src/services/workspaces/tenant-bootstrap.js';
import { migrateAll } from '../../../dataplane/src/store/migrator.js';

/** The bookkeeping tables migrateAll keeps in a tenant schema (control and workspace). */
const MIGRATION_TABLES = ['lt_migrations_control', 'lt_migrations_workspace'];

async function appliedMigrations(knex: Knex, schema: string): Promise<Set<string>> {
  const names = new Set<string>();
  for (const table of MIGRATION_TABLES) {
    const exists = await knex.raw<{ rows: { found: string | null }[] }>('SELECT to_regclass(?) AS found', [
      `${pg.escapeIdentifier(schema)}.${table}`,
    ]);
    if (!exists.rows[0]?.found) continue;
    const rows = await knex.withSchema(schema).from(table).select<{ name: string }[]>('name');
    for (const { name } of rows)
      names.add(`${table === MIGRATION_TABLES[0] ? 'control' : 'workspace'}/${name}`);
  }
  return names;
}

/**
 * Runs the dataplane's migrations for tenant mode into the tenant's schema as the tenant role,
 * exactly as a dataplane pod does at start (dataplane.ts): migrateAll with the schema as the
 * control schema and TenantBootstrap making the workspace row. The tables are then the role's,
 * and they exist before any pod starts. Answers the migrations it applied (`control/<name>`,
 * `workspace/<name>`); none on a second run.
 */
export async function migrateTenant(databaseUrl: string, tenant: TenantSpec, log: Logger): Promise<string[]> {
  const db = createDatabase({
    connectionString: databaseUrl,
    searchPath: tenant.schema,
    poolMax: 2,
    statementTimeoutMs: 0,
    applicationName: 'live-tables-operator',
  });
  try {
    const before = await appliedMigrations(db.knex, tenant.schema);
    await migrateAll(db, tenant.schema, log, new TenantBootstrap(tenant, log).ensureWorkspace);
    const after = await appliedMigrations(db.knex, tenant.schema);
    return [...after].filter((name) => !before.has(name));
  } finally {
    await db.close();
  }
}

/** SQLSTATE 28P01: the password does not open the role. */
const INVALID_PASSWORD = '28P01';

/** Whether the URL's password opens its role; other connection failures are thrown. */
export async function passwordOpensRole(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'live-tables-operator' });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === INVALID_PASSWORD) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
