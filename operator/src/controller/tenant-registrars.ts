import { createDatabase, type Database } from '../../../dataplane/src/platform/database.js';
import { ConnectionRegistrar } from '../connections/connection-registrar.js';

/** What a tenant's Secret says about reaching its data. */
export interface TenantAccess {
  schema: string;
  databaseUrl: string;
  masterKey: string;
}

interface Entry {
  access: TenantAccess;
  database: Database;
  registrar: ConnectionRegistrar;
}

/**
 * One ConnectionRegistrar per tenant, on a small pool of the tenant's own role (its Secret's
 * DATABASE_URL), kept while the tenant's access stays the same and replaced when its Secret
 * changes. Connections of one Workspace share it.
 */
export class TenantRegistrars {
  private readonly entries = new Map<string, Entry>();

  /** `key`: the Workspace's `namespace/name`. */
  async registrar(key: string, access: TenantAccess): Promise<ConnectionRegistrar> {
    const known = this.entries.get(key);
    if (known && sameAccess(known.access, access)) return known.registrar;
    if (known) await this.forget(key);
    const database = createDatabase({
      connectionString: access.databaseUrl,
      searchPath: access.schema,
      poolMax: 2,
      statementTimeoutMs: 30_000,
      applicationName: 'live-tables-operator',
    });
    const registrar = new ConnectionRegistrar({
      knex: database.knex,
      schema: access.schema,
      masterKey: access.masterKey,
    });
    this.entries.set(key, { access, database, registrar });
    return registrar;
  }

  /** Closes the tenant's pool (its Workspace is gone, or its access changed). */
  async forget(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    await entry.database.close();
  }

  async closeAll(): Promise<void> {
    for (const key of [...this.entries.keys()]) await this.forget(key);
  }
}

const sameAccess = (a: TenantAccess, b: TenantAccess) =>
  a.schema === b.schema && a.databaseUrl === b.databaseUrl && a.masterKey === b.masterKey;
