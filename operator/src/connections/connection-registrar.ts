import type { Knex } from 'knex';
import { createKmsProvider } from '../../../dataplane/src/platform/crypto/kms-factory.js';
import { CredentialDecryptionError } from '../../../dataplane/src/platform/errors.js';
import {
  toConnectionView,
  type ConnectionRow,
  type ConnectionSecret,
} from '../../../dataplane/src/services/connections/connection-row.js';
import { credentialSealer } from '../../../dataplane/src/services/connections/platform-ports.js';
import type { SecretSealer } from '../../../dataplane/src/services/connections/ports.js';
import { UnitOfWork } from '../../../dataplane/src/services/unit-of-work.js';
import { TableDataKeyStore } from '../../../dataplane/src/store/data-key.table-store.js';
import { isUniqueViolation } from '../../../dataplane/src/store/pg-errors.js';
import { canonicalJson } from '../canonical-json.js';
import type { ConnectionDefinition } from './connection-definition.js';
import { connectionOptions } from './connection-settings.js';

/** The tenant a connection is registered in: its schema, reached as its role, and its master key. */
export interface TenantConnectionsOptions {
  /** A connection to the tenant's database as the tenant role (the Secret's DATABASE_URL). */
  knex: Knex;
  schema: string;
  /** The tenant's LT_MASTER_KEY (from its Secret): the local KMS key the dataplane also uses. */
  masterKey: string;
}

export interface ManagedConnection {
  /** The Connection resource's uid: a stable id that survives a lost status. */
  id: string;
  /** The Connection resource's name: the connection's name in the tenant. */
  name: string;
  definition: ConnectionDefinition;
}

export interface RegisterOutcome {
  connectionId: string;
  action: 'created' | 'updated' | 'unchanged';
  /** Columns that changed (`host`, `secret` ...); never their values. */
  changed: string[];
}

/** The tenant's workspace row is missing: the Workspace is not provisioned (DatabaseReady is not true). */
export class TenantNotReadyError extends Error {
  readonly code = 'tenant_not_ready';
}

/** Another connection of the tenant, made through its API, already has the name. */
export class ConnectionNameTakenError extends Error {
  readonly code = 'connection_name_taken';
}

const MANAGER = 'operator';
/** The columns register writes, compared to find what changed. */
const COLUMNS = [
  'name',
  'type',
  'host',
  'port',
  'database',
  'username',
  'read_only',
  'allow_raw_queries',
  'options',
] as const;

type Columns = Pick<ConnectionRow, (typeof COLUMNS)[number]>;

// jsonb answers its keys in its own order.
const sameValue = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/**
 * Registers Connection resources in one tenant's `connections` table, as rows the tenant API lists
 * but refuses to change (`managed_by = 'operator'`). Credentials are sealed by the dataplane's own
 * sealer (credentialSealer: the workspace's data keys in its `data_keys` table, wrapped by the
 * local KMS provider under the tenant's LT_MASTER_KEY), so the dataplane opens them as its own.
 * Every change is audited in the tenant's audit log, with no actor.
 */
export class ConnectionRegistrar {
  private readonly sealer: SecretSealer;
  private workspaceId: string | undefined;

  constructor(private readonly tenant: TenantConnectionsOptions) {
    const provider = createKmsProvider({
      masterKey: tenant.masterKey,
      kms: { provider: 'local', retiredMasterKeys: [], aws: undefined, vault: undefined },
    });
    this.sealer = credentialSealer(provider, new TableDataKeyStore(tenant.knex, async () => tenant.schema));
  }

  /** Inserts or updates the connection; changes nothing when it is as defined. */
  async register(connection: ManagedConnection): Promise<RegisterOutcome> {
    const workspaceId = await this.workspace();
    const current = await this.table(this.tenant.knex)
      .where({ id: connection.id })
      .first<ConnectionRow | undefined>('*');
    if (current && current.managed_by !== MANAGER)
      throw new ConnectionNameTakenError(
        `Connection id ${connection.id} belongs to a connection the operator does not manage`,
      );
    const wanted = this.columns(connection);
    const secret = await this.secretFor(workspaceId, connection, current);
    const changed = [
      ...COLUMNS.filter((c) => !current || !sameValue(current[c], wanted[c])),
      ...(current?.secret === secret ? [] : ['secret']),
    ];
    if (current && changed.length === 0) return { connectionId: connection.id, action: 'unchanged', changed };
    try {
      await this.tenant.knex.transaction(async (trx) => {
        const uow = new UnitOfWork(trx, null);
        if (current) await this.update(uow, workspaceId, connection.id, wanted, secret, changed, current);
        else await this.insert(uow, workspaceId, connection.id, wanted, secret);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConnectionNameTakenError(
          `The workspace already has a connection named ${JSON.stringify(connection.name)}`,
        );
      throw error;
    }
    return {
      connectionId: connection.id,
      action: current ? 'updated' : 'created',
      changed: current ? changed : [],
    };
  }

  /** Removes the connection if the operator registered it; answers whether there was one. */
  async unregister(connectionId: string): Promise<boolean> {
    const workspaceId = await this.workspace();
    return this.tenant.knex.transaction(async (trx) => {
      const row = await this.table(trx)
        .where({ id: connectionId, managed_by: MANAGER })
        .forUpdate()
        .first<ConnectionRow | undefined>('*');
      if (!row) return false;
      await this.table(trx).where({ id: connectionId }).delete();
      await trx
        .withSchema(this.tenant.schema)
        .table('resource_directory')
        .where({ id: connectionId })
        .delete();
      await new UnitOfWork(trx, null).audit(
        {
          workspaceId,
          action: 'connection.delete',
          resourceType: 'connection',
          resourceId: connectionId,
          before: toConnectionView(row),
        },
        this.tenant.schema,
      );
      return true;
    });
  }

  private columns(connection: ManagedConnection): Columns {
    const d = connection.definition;
    return {
      name: connection.name,
      type: d.type,
      host: d.host,
      port: d.port,
      database: d.database,
      username: d.username ?? null,
      read_only: d.readOnly,
      // Raw queries stay off: a Connection resource has no such setting to turn them on.
      allow_raw_queries: false,
      options: connectionOptions(d),
    };
  }

  /**
   * The sealed `{password}` exactly as ConnectionsService writes it: the stored envelope when it
   * still holds this password (moved to the newest data key if a rotation left it behind), a new
   * one when the password changed or cannot be opened any more.
   */
  private async secretFor(
    workspaceId: string,
    connection: ManagedConnection,
    current: ConnectionRow | undefined,
  ): Promise<string | null> {
    const password = connection.definition.password;
    if (password === undefined) return null;
    if (current?.secret) {
      const stored = await this.sealer.open(workspaceId, connection.id, current.secret).then(
        (text) => (JSON.parse(text) as ConnectionSecret).password,
        (error: unknown) => {
          if (error instanceof CredentialDecryptionError) return undefined;
          throw error;
        },
      );
      if (stored === password) return this.sealer.reseal(workspaceId, connection.id, current.secret);
    }
    const plaintext: ConnectionSecret = { password };
    return this.sealer.seal(workspaceId, connection.id, JSON.stringify(plaintext));
  }

  private async insert(
    uow: UnitOfWork,
    workspaceId: string,
    id: string,
    wanted: Columns,
    secret: string | null,
  ) {
    const [row] = await this.table(uow.trx)
      .insert({
        id,
        ...wanted,
        options: JSON.stringify(wanted.options),
        secret,
        managed_by: MANAGER,
        created_by: null,
      })
      .returning<ConnectionRow[]>('*');
    await uow.trx
      .withSchema(this.tenant.schema)
      .table('resource_directory')
      .insert({ id, workspace_id: workspaceId, kind: 'connection' });
    await uow.audit(
      {
        workspaceId,
        action: 'connection.create',
        resourceType: 'connection',
        resourceId: id,
        after: toConnectionView(row as ConnectionRow),
      },
      this.tenant.schema,
    );
  }

  private async update(
    uow: UnitOfWork,
    workspaceId: string,
    id: string,
    wanted: Columns,
    secret: string | null,
    changed: string[],
    before: ConnectionRow,
  ) {
    const [row] = await this.table(uow.trx)
      .where({ id })
      .update({
        ...wanted,
        options: JSON.stringify(wanted.options),
        secret,
        status: 'unknown',
        updated_at: new Date(),
      })
      .returning<ConnectionRow[]>('*');
    const after = toConnectionView(row as ConnectionRow);
    await uow.audit(
      {
        workspaceId,
        action: 'connection.update',
        resourceType: 'connection',
        resourceId: id,
        before: toConnectionView(before),
        after: { ...after, ...(changed.includes('secret') ? { credentials: 'changed' } : {}) },
      },
      this.tenant.schema,
    );
  }

  /** The tenant's one workspace (tenant mode keeps it in the tenant schema). */
  private async workspace(): Promise<string> {
    if (this.workspaceId) return this.workspaceId;
    const row = await this.tenant.knex
      .withSchema(this.tenant.schema)
      .table('workspaces')
      .first<{ id: string } | undefined>('id');
    if (!row) throw new TenantNotReadyError(`Schema ${this.tenant.schema} has no workspace yet`);
    this.workspaceId = row.id;
    return row.id;
  }

  // Not async: awaiting a knex builder would run it.
  private table(knex: Knex) {
    return knex.withSchema(this.tenant.schema).table('connections');
  }
}
