import type { Knex } from 'knex';
import type {
  AdapterType,
  ConnectionSettings,
  ConnectionTestResult,
  DiscoveredSchema,
  ExecuteOptions,
  LogicalQueryResult,
  RawQueryResult,
} from '../../adapters/adapter.js';
import type { AdapterRegistry } from '../../adapters/registry.js';
import type { Cache } from '../../platform/cache.js';
import {
  ConflictError,
  ConnectionManagedByOperatorError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { LogicalQuery } from '../../query/lqp.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import { isUniqueViolation } from '../../store/pg-errors.js';
import { can } from '../rbac/permissions.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import {
  toConnectionView,
  type ConnectionOptions,
  type ConnectionRow,
  type ConnectionSecret,
  type ConnectionView,
} from './connection-row.js';
import { toLogicalQuery, type ConnectionQueryBody, type RawQueryBody } from './connection-query.js';
import { defaultPort, parseConnectionUri, type ConnectionParts } from './connection-uri.js';
import type { HostGuard, KeyRotation, SecretSealer } from './ports.js';

export interface ConnectionInput {
  name: string;
  type: AdapterType;
  host?: string;
  port?: number;
  database?: string;
  username?: string;
  password?: string;
  uri?: string;
  readOnly?: boolean;
  allowRawQueries?: boolean;
  options?: ConnectionOptions;
}

export type ConnectionUpdate = Partial<Omit<ConnectionInput, 'type'>>;

export interface ConnectionDefaults {
  statementTimeoutMs: number;
  rowCap: number;
  poolMax: number;
  poolIdleMs: number;
  schemaCacheTtlSeconds: number;
}

/**
 * External database connections of a workspace: stored in the workspace schema with their
 * credentials sealed, reached through the adapter registry at an address the host guard vetted.
 */
export class ConnectionsService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly sealer: SecretSealer,
    private readonly guard: HostGuard,
    private readonly registry: AdapterRegistry,
    private readonly schemaCache: Cache,
    private readonly defaults: ConnectionDefaults,
  ) {}

  async list(
    access: WorkspaceAccess,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<ConnectionView>> {
    const query = this.table(this.knex, access).select<ConnectionRow[]>('*');
    const rows = (await applyKeyset(
      query,
      [{ column: 'id', kind: 'uuid' }],
      cursor,
      limit,
    )) as ConnectionRow[];
    return toPage(rows, limit, (r) => [r.id], toConnectionView);
  }

  async get(access: WorkspaceAccess, id: string): Promise<ConnectionView> {
    return toConnectionView(await this.load(this.knex, access, id));
  }

  async create(access: WorkspaceAccess, actorId: string, input: ConnectionInput): Promise<ConnectionView> {
    const parts = resolveParts(input);
    await this.guard.check(parts.host, parts.port);
    const id = newId();
    const workspaceId = access.workspace.id;
    const secret =
      parts.password === undefined
        ? null
        : await this.sealer.seal(workspaceId, id, JSON.stringify({ password: parts.password }));
    return this.write(actorId, async (uow) => {
      const [row] = await this.table(uow.trx, access)
        .insert({
          id,
          name: input.name,
          type: input.type,
          host: parts.host,
          port: parts.port,
          database: parts.database,
          username: parts.username ?? null,
          secret,
          read_only: input.readOnly ?? false,
          allow_raw_queries: input.allowRawQueries ?? false,
          options: JSON.stringify(input.options ?? {}),
          created_by: actorId,
        })
        .returning<ConnectionRow[]>('*');
      const view = toConnectionView(row as ConnectionRow);
      await uow.trx('resource_directory').insert({ id, workspace_id: workspaceId, kind: 'connection' });
      await uow.audit(
        { workspaceId, action: 'connection.create', resourceType: 'connection', resourceId: id, after: view },
        access.workspace.schemaName,
      );
      uow.emit('connection.created', workspaceId, { connection: view });
      return view;
    });
  }

  async update(
    access: WorkspaceAccess,
    actorId: string,
    id: string,
    input: ConnectionUpdate,
  ): Promise<ConnectionView> {
    const current = refuseManaged(await this.load(this.knex, access, id));
    const parts = input.uri ? parseConnectionUri(current.type, input.uri) : undefined;
    const host = parts?.host ?? input.host ?? current.host;
    const port = parts?.port ?? input.port ?? current.port;
    if (host !== current.host || port !== current.port) await this.guard.check(host, port);
    const password = parts?.password ?? input.password;
    const secret =
      password === undefined
        ? undefined
        : await this.sealer.seal(access.workspace.id, id, JSON.stringify({ password }));
    const view = await this.write(actorId, async (uow) => {
      const before = refuseManaged(await this.load(uow.trx, access, id, true));
      const [row] = await this.table(uow.trx, access)
        .where({ id })
        .update({
          ...(input.name !== undefined ? { name: input.name } : {}),
          host,
          port,
          database: parts?.database ?? input.database ?? before.database,
          username: parts?.username ?? input.username ?? before.username,
          ...(secret !== undefined ? { secret } : {}),
          ...(input.readOnly !== undefined ? { read_only: input.readOnly } : {}),
          ...(input.allowRawQueries !== undefined ? { allow_raw_queries: input.allowRawQueries } : {}),
          ...(input.options !== undefined
            ? { options: JSON.stringify({ ...before.options, ...input.options }) }
            : {}),
          status: 'unknown',
          updated_at: new Date(),
        })
        .returning<ConnectionRow[]>('*');
      const after = toConnectionView(row as ConnectionRow);
      const changes = {
        before: toConnectionView(before),
        after: { ...after, ...(secret ? { credentials: 'changed' } : {}) },
      };
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'connection.update',
          resourceType: 'connection',
          resourceId: id,
          ...changes,
        },
        access.workspace.schemaName,
      );
      uow.emit('connection.updated', access.workspace.id, { connection: after });
      return after;
    });
    await this.forget(id);
    return view;
  }

  async delete(access: WorkspaceAccess, actorId: string, id: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const before = refuseManaged(await this.load(uow.trx, access, id, true));
      await this.table(uow.trx, access).where({ id }).delete();
      await uow.trx('resource_directory').where({ id }).delete();
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'connection.delete',
          resourceType: 'connection',
          resourceId: id,
          before: toConnectionView(before),
        },
        access.workspace.schemaName,
      );
      uow.emit('connection.deleted', access.workspace.id, { connectionId: id });
    });
    await this.forget(id);
  }

  /** Tries the connection now and records the outcome as its status. */
  async test(access: WorkspaceAccess, id: string): Promise<ConnectionTestResult> {
    const row = await this.load(this.knex, access, id);
    const result = await this.registry.test(await this.settings(access, row));
    await this.table(this.knex, access)
      .where({ id })
      .update({
        status: result.ok ? 'ok' : 'error',
        last_error: result.ok ? null : (result.error ?? 'failed'),
        last_checked_at: new Date(),
      });
    return result;
  }

  /** The discovered schema, cached per connection; `refresh` discovers again. */
  async schema(access: WorkspaceAccess, id: string, refresh = false): Promise<DiscoveredSchema> {
    const row = await this.load(this.knex, access, id);
    const key = `schema:${id}`;
    if (!refresh) {
      const cached = await this.schemaCache.get(key);
      if (cached) return JSON.parse(cached) as DiscoveredSchema;
    }
    const settings = await this.settings(access, row);
    const schema = await this.registry.run(settings, (adapter) => adapter.discoverSchema());
    await this.schemaCache.set(key, JSON.stringify(schema), this.defaults.schemaCacheTtlSeconds);
    return schema;
  }

  async query(access: WorkspaceAccess, id: string, body: ConnectionQueryBody): Promise<LogicalQueryResult> {
    return this.execute(access, id, toLogicalQuery(body), { explain: body.explain === true });
  }

  /** An LQP on the connection's adapter, in its own engine (views run theirs here too). */
  async execute(
    access: WorkspaceAccess,
    id: string,
    query: LogicalQuery,
    options: ExecuteOptions = {},
  ): Promise<LogicalQueryResult> {
    const row = await this.load(this.knex, access, id);
    const settings = await this.settings(access, row);
    return this.registry.run(settings, (adapter) => adapter.executeLogicalQuery(query, options));
  }

  /** Raw SQL or a pipeline: admins only, and only where the connection allows it. Audited. */
  async rawQuery(
    access: WorkspaceAccess,
    actorId: string,
    id: string,
    body: RawQueryBody,
  ): Promise<RawQueryResult> {
    if (!can(access.role, 'connections:raw')) throw new ForbiddenError('Raw queries need the admin role');
    const row = await this.load(this.knex, access, id);
    if (!row.allow_raw_queries)
      throw new ForbiddenError('This connection does not allow raw queries', 'raw_queries_disabled');
    const raw = rawOf(row.type, body);
    const settings = await this.settings(access, row);
    await this.tx.run(actorId, (uow) =>
      uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'connection.raw_query',
          resourceType: 'connection',
          resourceId: id,
          after: raw,
        },
        access.workspace.schemaName,
      ),
    );
    return this.registry.run(settings, (adapter) => adapter.executeRawQuery(raw));
  }

  /**
   * Key rotation: a new data key for the workspace, older data keys re-wrapped under the KMS key's
   * current version, and (when asked) every stored credential re-encrypted under the new key,
   * except those of operator-managed connections: the operator owns them and re-seals them under
   * the newest data key itself, at its next check.
   */
  async rotateKeys(
    access: WorkspaceAccess,
    actorId: string,
    reencrypt: boolean,
  ): Promise<KeyRotation & { reencrypted: number }> {
    const workspaceId = access.workspace.id;
    const rotation = await this.sealer.rotate(workspaceId);
    let reencrypted = 0;
    await this.tx.run(actorId, async (uow) => {
      if (reencrypt) {
        const rows = await this.table(uow.trx, access)
          .whereNotNull('secret')
          .whereNull('managed_by')
          .forUpdate()
          .select<ConnectionRow[]>('id', 'secret');
        for (const row of rows) {
          const next = await this.sealer.reseal(workspaceId, row.id, row.secret as string);
          if (next === row.secret) continue;
          await this.table(uow.trx, access).where({ id: row.id }).update({ secret: next });
          reencrypted++;
        }
      }
      await uow.audit(
        {
          workspaceId,
          action: 'keys.rotate',
          resourceType: 'workspace',
          resourceId: workspaceId,
          after: { ...rotation, reencrypted },
        },
        access.workspace.schemaName,
      );
    });
    return { ...rotation, reencrypted };
  }

  private async settings(access: WorkspaceAccess, row: ConnectionRow): Promise<ConnectionSettings> {
    const checked = await this.guard.check(row.host, row.port);
    const secret: ConnectionSecret = row.secret
      ? (JSON.parse(await this.sealer.open(access.workspace.id, row.id, row.secret)) as ConnectionSecret)
      : {};
    const o = row.options;
    return {
      id: row.id,
      type: row.type,
      host: checked.address,
      servername: checked.servername,
      port: row.port,
      database: row.database,
      ...(row.username ? { username: row.username } : {}),
      ...(secret.password !== undefined ? { password: secret.password } : {}),
      readOnly: row.read_only,
      statementTimeoutMs: o.statementTimeoutMs ?? this.defaults.statementTimeoutMs,
      rowCap: o.rowCap ?? this.defaults.rowCap,
      ...(o.tls ? { ssl: o.tls === true ? true : { rejectUnauthorized: o.tls.rejectUnauthorized } } : {}),
      pool: { max: o.pool?.max ?? this.defaults.poolMax, idleMs: o.pool?.idleMs ?? this.defaults.poolIdleMs },
    };
  }

  private async write<T>(actorId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    try {
      return await this.tx.run(actorId, work);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError('A connection with this name already exists', 'name_taken');
      throw error;
    }
  }

  private async load(knex: Knex, access: WorkspaceAccess, id: string, lock = false): Promise<ConnectionRow> {
    const query = this.table(knex, access).where({ id }).first<ConnectionRow | undefined>('*');
    const row = await (lock ? query.forUpdate() : query);
    if (!row) throw new NotFoundError('Connection');
    return row;
  }

  private table(knex: Knex, access: WorkspaceAccess) {
    return knex.withSchema(access.workspace.schemaName).table('connections');
  }

  private async forget(id: string): Promise<void> {
    await Promise.all([this.registry.forget(id), this.schemaCache.del(`schema:${id}`)]);
  }
}

/** The API may read and use an operator-managed connection, never change or delete it. */
function refuseManaged(row: ConnectionRow): ConnectionRow {
  if (row.managed_by !== null) throw new ConnectionManagedByOperatorError();
  return row;
}

function resolveParts(input: ConnectionInput): ConnectionParts {
  if (input.uri) return parseConnectionUri(input.type, input.uri);
  if (!input.host || !input.database) {
    throw new ValidationError('host and database are required unless uri is given', [
      ...(input.host ? [] : [{ path: '/host', message: 'is required unless uri is given' }]),
      ...(input.database ? [] : [{ path: '/database', message: 'is required unless uri is given' }]),
    ]);
  }
  return {
    host: input.host,
    port: input.port ?? defaultPort(input.type),
    database: input.database,
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(input.password !== undefined ? { password: input.password } : {}),
  };
}

function rawOf(type: AdapterType, body: RawQueryBody) {
  if (type === 'mongodb') {
    if (!body.pipeline || !body.collection)
      throw new ValidationError('MongoDB raw queries need collection and pipeline', [
        { path: '/pipeline', message: 'collection and pipeline are required' },
      ]);
    return { collection: body.collection, pipeline: body.pipeline };
  }
  if (!body.sql)
    throw new ValidationError('SQL raw queries need sql', [{ path: '/sql', message: 'is required' }]);
  return { sql: body.sql, params: body.params ?? [] };
}
