import pg from 'pg';
import { BadRequestError } from '../../platform/errors.js';
import {
  isRawSqlQuery,
  type ConnectionSettings,
  type DiscoveredSchema,
  type IDatabaseAdapter,
  type RawQuery,
  type RawQueryResult,
} from '../adapter.js';
import { SqlAdapterBase } from '../sql/sql-adapter.base.js';
import { assertReadStatement, assertSingleStatement } from '../sql/statement-guard.js';
import { queryCapped } from './capped-query.js';
import { discoverPostgres } from './pg-discovery.js';
import { translatePgError } from './pg-errors.js';
import { externalTypes } from './pg-types.js';

export interface PostgresAdapterOptions {
  /** How long the discovered catalog serves LQP compilation before it is read again. Default 60 000. */
  catalogTtlMs?: number;
  /** Reported to the server (pg_stat_activity). Default 'live-tables'. */
  applicationName?: string;
  /** Time to open one connection (ms). Default 10 000. */
  connectTimeoutMs?: number;
  /** Errors of idle pooled clients (a restarted server); default: ignored, the pool replaces them. */
  onPoolError?: (error: Error) => void;
}

/** PostgreSQL through one pg.Pool per connection. */
export class PostgresAdapter extends SqlAdapterBase<pg.Pool> implements IDatabaseAdapter {
  readonly type = 'postgres' as const;

  constructor(
    settings: ConnectionSettings,
    private readonly options: PostgresAdapterOptions = {},
  ) {
    super(settings, 'postgres', options.catalogTtlMs);
  }

  async connect(): Promise<void> {
    await this.withClient(false, (client) => client.query('SELECT 1'));
  }

  protected async serverVersion(): Promise<string> {
    const { rows } = await this.withClient(false, (c) =>
      c.query<{ v: string }>("SELECT current_setting('server_version') AS v"),
    );
    return rows[0]?.v ?? '';
  }

  protected translateError(error: unknown): Error {
    return translatePgError(error, this.settings.statementTimeoutMs);
  }

  /** A fresh read of pg_catalog; it also refreshes the catalog LQP queries compile against. */
  async discoverSchema(): Promise<DiscoveredSchema> {
    const schema = await this.withClient(false, discoverPostgres);
    this.catalog.prime(schema);
    return schema;
  }

  async executeRawQuery(raw: RawQuery): Promise<RawQueryResult> {
    if (!isRawSqlQuery(raw)) {
      throw new BadRequestError('A PostgreSQL connection runs SQL, not pipelines', 'raw_query_unsupported');
    }
    assertSingleStatement(raw.sql, 'postgres');
    if (this.settings.readOnly) assertReadStatement(raw.sql, 'postgres');
    return this.withClient(this.settings.readOnly, (client) =>
      queryCapped(client, raw.sql, raw.params ?? [], this.settings.rowCap),
    );
  }

  protected async fetchRows(sql: string, bindings: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const { rows } = await this.ensurePool().query<Record<string, unknown>>(sql, bindings as unknown[]);
    return rows;
  }

  /**
   * One pooled client for `fn`. Caller SQL on a read-only connection (`readOnlyCallerSql`) runs inside
   * BEGIN READ ONLY … COMMIT, so a write smuggled into a function or a data-modifying WITH fails
   * in the server, and the client is discarded afterwards: a SELECT of set_config could have
   * lifted the session's read-only default that LQP statements rely on. Driver errors leave as
   * domain errors; a client that failed mid-transaction is discarded, not reused.
   */
  private async withClient<T>(
    readOnlyCallerSql: boolean,
    fn: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    const timeout = this.settings.statementTimeoutMs;
    let client: pg.PoolClient;
    try {
      client = await this.ensurePool().connect();
    } catch (error) {
      throw translatePgError(error, timeout);
    }
    let broken: Error | undefined;
    try {
      if (!readOnlyCallerSql) return await fn(client);
      await client.query('BEGIN READ ONLY');
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        broken = new Error('a session that ran caller SQL on a read-only connection is not reused');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
    } catch (error) {
      throw translatePgError(error, timeout);
    } finally {
      client.release(broken);
    }
  }

  protected ensurePool(): pg.Pool {
    this.pool ??= this.createPool();
    return this.pool;
  }

  private createPool(): pg.Pool {
    const s = this.settings;
    const pool = new pg.Pool({
      host: s.host,
      port: s.port,
      database: s.database,
      user: s.username,
      password: s.password,
      ssl: sslOptions(s),
      max: s.pool.max,
      idleTimeoutMillis: s.pool.idleMs,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 10_000,
      statement_timeout: s.statementTimeoutMs || undefined,
      idle_in_transaction_session_timeout: s.statementTimeoutMs ? s.statementTimeoutMs * 2 : undefined,
      application_name: this.options.applicationName ?? 'live-tables',
      // The SQL compiler renders times assuming a UTC session (query/README "Time"). A read-only
      // connection's sessions start every transaction READ ONLY: an LQP statement needs no
      // BEGIN … COMMIT around it to be refused a write (a function behind a view, say).
      options: s.readOnly ? '-c TimeZone=UTC -c default_transaction_read_only=on' : '-c TimeZone=UTC',
      keepAlive: true,
      types: externalTypes,
    });
    pool.on('error', (error) => this.options.onPoolError?.(error));
    return pool;
  }
}

function sslOptions(s: ConnectionSettings): pg.PoolConfig['ssl'] {
  if (!s.ssl) return false;
  const extra = s.ssl === true ? {} : s.ssl;
  return {
    rejectUnauthorized: extra.rejectUnauthorized ?? true,
    ...(extra.ca ? { ca: extra.ca } : {}),
    ...(s.servername ? { servername: s.servername } : {}),
  };
}
