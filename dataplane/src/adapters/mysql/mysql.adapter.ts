import knexFactory, { type Knex } from 'knex';
import type mysql from 'mysql2/promise';
import type { LogicalQuery } from '../../query/lqp.js';
import { BadRequestError } from '../../platform/errors.js';
import {
  isRawSqlQuery,
  type ConnectionSettings,
  type ConnectionTestResult,
  type DiscoveredSchema,
  type ExecuteOptions,
  type IDatabaseAdapter,
  type LogicalQueryResult,
  type RawQuery,
  type RawQueryResult,
} from '../adapter.js';
import { CatalogCache } from '../sql/catalog-cache.js';
import { runLogicalQuery } from '../sql/logical-query.js';
import { assertReadStatement, assertSingleStatement } from '../sql/statement-guard.js';
import { discoverMysql } from './mysql-discovery.js';
import { translateMysqlError } from './mysql-errors.js';
import { createMysqlPool, type MysqlPoolOptions } from './mysql-pool.js';

export interface MysqlAdapterOptions extends MysqlPoolOptions {
  /** How long the discovered catalog serves LQP compilation. Default 60 000. */
  catalogTtlMs?: number;
}

type Conn = mysql.PoolConnection;

/** MySQL and MariaDB through one mysql2 pool per connection. */
export class MysqlAdapter implements IDatabaseAdapter {
  readonly type = 'mysql' as const;
  private pool: mysql.Pool | undefined;
  /** Renders and runs compiled LQP statements on `pool` (knex never owns a pool here). */
  private knex: Knex | undefined;
  private readonly catalog: CatalogCache;

  constructor(
    private readonly settings: ConnectionSettings,
    private readonly options: MysqlAdapterOptions = {},
  ) {
    this.catalog = new CatalogCache(() => this.discoverSchema(), options.catalogTtlMs ?? 60_000);
  }

  async connect(): Promise<void> {
    await this.withConnection(false, (c) => c.query('SELECT 1'));
  }

  async disconnect(): Promise<void> {
    const { pool, knex } = this;
    this.pool = undefined;
    this.knex = undefined;
    this.catalog.invalidate();
    await knex?.destroy();
    await pool?.end();
  }

  async testConnection(): Promise<ConnectionTestResult> {
    const started = performance.now();
    try {
      const [rows] = await this.withConnection(false, (c) =>
        c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v'),
      );
      const serverVersion = String(rows[0]?.v ?? '');
      return { ok: true, latencyMs: Math.round(performance.now() - started), serverVersion };
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      return { ok: false, latencyMs, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async discoverSchema(): Promise<DiscoveredSchema> {
    const schema = await this.withConnection(this.settings.readOnly, (c) =>
      discoverMysql(c, this.settings.database),
    );
    this.catalog.prime(schema);
    return schema;
  }

  refreshCatalog(): void {
    this.catalog.invalidate();
  }

  async executeLogicalQuery(query: LogicalQuery, options: ExecuteOptions = {}): Promise<LogicalQueryResult> {
    const catalog = await this.catalog.catalogFor(query);
    this.ensurePool();
    try {
      return await runLogicalQuery(this.knex as Knex, query, catalog, 'mysql', {
        rowCap: this.settings.rowCap,
        readOnly: this.settings.readOnly,
        explain: options.explain ?? false,
      });
    } catch (error) {
      throw translateMysqlError(error, this.settings.statementTimeoutMs);
    }
  }

  async executeRawQuery(raw: RawQuery): Promise<RawQueryResult> {
    if (!isRawSqlQuery(raw)) {
      throw new BadRequestError('A MySQL connection runs SQL, not pipelines', 'raw_query_unsupported');
    }
    assertSingleStatement(raw.sql, 'mysql');
    if (this.settings.readOnly) assertReadStatement(raw.sql, 'mysql');
    return this.withConnection(this.settings.readOnly, (conn) =>
      this.capped(conn, raw.sql, raw.params ?? []),
    );
  }

  /** sql_select_limit makes the server stop after cap + 1 rows of a top-level SELECT. */
  private async capped(conn: Conn, sql: string, params: unknown[]): Promise<RawQueryResult> {
    const cap = this.settings.rowCap;
    await conn.query('SET SESSION sql_select_limit = ?', [cap + 1]);
    try {
      const [result] = await conn.query(sql, params);
      const rows = Array.isArray(result) ? (result as Record<string, unknown>[]) : [];
      return { rows: rows.slice(0, cap), truncated: rows.length > cap };
    } finally {
      await conn.query('SET SESSION sql_select_limit = DEFAULT');
    }
  }

  /**
   * One pooled connection for `fn`; with `readOnly` inside START TRANSACTION READ ONLY … COMMIT.
   * A connection that failed to roll back or reset is destroyed, never returned to the pool.
   */
  private async withConnection<T>(readOnly: boolean, fn: (conn: Conn) => Promise<T>): Promise<T> {
    const timeout = this.settings.statementTimeoutMs;
    let conn: Conn;
    try {
      conn = await this.ensurePool().getConnection();
    } catch (error) {
      throw translateMysqlError(error, timeout);
    }
    let broken = false;
    try {
      if (!readOnly) return await fn(conn);
      await conn.query('START TRANSACTION READ ONLY');
      try {
        const result = await fn(conn);
        await conn.query('COMMIT');
        return result;
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      }
    } catch (error) {
      broken ||= isFatal(error);
      throw translateMysqlError(error, timeout);
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  private ensurePool(): mysql.Pool {
    if (!this.pool) {
      this.pool = createMysqlPool(this.settings, this.options);
      this.knex = knexFactory({ client: 'mysql2', connectionPool: this.pool });
    }
    return this.pool;
  }
}

function isFatal(error: unknown): boolean {
  return (error as { fatal?: unknown }).fatal === true;
}
