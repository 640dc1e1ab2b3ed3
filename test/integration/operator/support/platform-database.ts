import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../../../../dataplane/src/platform/logger.js';
import { tenantConnectionLimit } from '../../../../operator/src/provision/connection-limit.js';
import {
  TenantProvisioner,
  type TenantDatabaseSpec,
} from '../../../../operator/src/provision/tenant-provisioner.js';
import { tenantDatabaseUrl } from '../../../../operator/src/provision/tenant-database-url.js';
import { tenantSchemaName } from '../../../../operator/src/names.js';
import { createTestDatabase, PG_ADMIN_URL } from '../../../support/databases.js';

/**
 * A fresh platform database and the operator's own role on it, as a deployment has them: LOGIN
 * CREATEROLE, CREATE on the database and no superuser. The database is the operator's, so it
 * may revoke PUBLIC's privileges on `public` (the owner of `public` is pg_database_owner).
 */
export interface PlatformDatabase {
  /** The operator's PLATFORM_DATABASE_URL. */
  url: string;
  /** The same database as the superuser, for checks the test makes. */
  adminUrl: string;
  databaseName: string;
  pool: pg.Pool;
  provisioner: TenantProvisioner;
  /** A tenant name no other test (or earlier run) uses: roles are global to the cluster. */
  tenantName(prefix: string): string;
  spec(name: string): TenantDatabaseSpec;
  /** Superuser session on the platform database. */
  admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export async function createPlatformDatabase(): Promise<PlatformDatabase> {
  const database = await createTestDatabase();
  const databaseName = new URL(database.url).pathname.slice(1);
  const operatorRole = `lt_test_operator_${process.pid}_${randomBytes(3).toString('hex')}`;
  const tenants: string[] = [];
  const adminSession = async <T>(url: string, work: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await adminSession(PG_ADMIN_URL, async (c) => {
    await c.query(`CREATE ROLE ${operatorRole} LOGIN CREATEROLE`);
    await c.query(`ALTER DATABASE ${databaseName} OWNER TO ${operatorRole}`);
  });
  const url = new URL(database.url);
  url.username = operatorRole;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const provisioner = new TenantProvisioner(pool, log);
  return {
    url: url.toString(),
    adminUrl: database.url,
    databaseName,
    pool,
    provisioner,
    tenantName(prefix) {
      const name = `${prefix}-${process.pid.toString(36)}${randomBytes(3).toString('hex')}`;
      tenants.push(name);
      return name;
    },
    spec(name) {
      const schema = tenantSchemaName(name);
      const password = randomBytes(32).toString('base64url');
      const target = new URL(database.url);
      return {
        slug: name,
        schema,
        displayName: `Tenant ${name}`,
        ownerEmail: `owner@${name}.test`,
        password,
        databaseUrl: tenantDatabaseUrl(
          url.toString(),
          { host: target.hostname, port: Number(target.port || 5432) },
          schema,
          password,
        ),
        connectionLimit: tenantConnectionLimit({ replicas: 1, autoscaling: undefined }),
      };
    },
    admin: (work) => adminSession(database.url, work),
    async drop() {
      await pool.end();
      await database.drop();
      await adminSession(PG_ADMIN_URL, async (c) => {
        for (const name of tenants) await c.query(`DROP ROLE IF EXISTS ${tenantSchemaName(name)}`);
        await c.query(`DROP ROLE IF EXISTS ${operatorRole}`);
      });
    },
  };
}
