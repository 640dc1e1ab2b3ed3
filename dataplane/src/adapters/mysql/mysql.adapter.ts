import type mysql from 'mysql2/promise';
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
import { discoverMysql } from './mysql-discovery.js';
import { translateMysqlError } from './mysql-errors.js';
import { createMysqlPool, type MysqlPoolOptions } from './mysql-pool.js';

export interface MysqlAdapterOptions extends MysqlPoolOptions {
  /** How long the discovered catalog serves LQP compilation. Default 60 000. */
  catalogTtlMs?: number;
}

type Conn = mysql.PoolConnection;

/** MySQL and MariaDB through one mysql2 pool per connection. */
export class MysqlAdapter extends SqlAdapterBase<mysql.Pool> implements IDatabaseAdapter {
  readonly type = 'mysql' as const;

  constructor(
    settings: ConnectionSettings,
    private readonly options: MysqlAdapterOptions = {},
  ) {
    super(settings, 'mysql', options.catalogTtlMs);
  }

  async connect(): Promise<void> {
    await this.withConnection(false, (c) => c.query('SELECT 1'));
  }

  protected async serverVersion(): Promise<string> {
    const [rows] = await this.withConnection(false, (c) =>
      c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v'),
    );
    return String(rows[0]?.v ?? '');
  }

  protected translateError(error: unknown): Error {
    return translateMysqlError(error, this.settings.statementTimeoutMs);
  }

  async discoverSchema(): Promise<DiscoveredSchema> {
    const schema = await this.withConnection(this.settings.readOnly, (c) =>
      discoverMysql(c, this.settings.database),
    );
    this.catalog.prime(schema);
    return schema;
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

  protected async fetchRows(sql: string, bindings: readonly unknown[]): Promise<Record<string, unknown>[]> {
    const [rows] = await this.ensurePool().query<mysql.RowDataPacket[]>(sql, bindings as mysql.QueryValues);
    return rows;
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

  protected ensurePool(): mysql.Pool {
    this.pool ??= createMysqlPool(this.settings, this.options);
    return this.pool;
  }
}

function isFatal(error: unknown): boolean {
  return (error as { fatal?: unknown }).fatal === true;
}
