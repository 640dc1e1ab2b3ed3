import type { LogicalQuery } from '../../query/lqp.js';
import { explain } from '../../query/explain.js';
import { StatementCache, type SqlDialectName } from '../../query/sql/index.js';
import type {
  ConnectionSettings,
  ConnectionTestResult,
  DiscoveredSchema,
  ExecuteOptions,
  LogicalQueryResult,
} from '../adapter.js';
import { CatalogCache } from './catalog-cache.js';
import { cappedPage } from './capped-page.js';

type Row = Record<string, unknown>;

/**
 * What the PostgreSQL and MySQL adapters share: one driver pool, the cached catalog, the
 * prepared statements of LQP queries (by query, per catalog), the connection test and LQP
 * execution. Subclasses supply the pool (read-only connections open read-only sessions), the
 * statement runner, the server version query and the translation of driver errors.
 */
export abstract class SqlAdapterBase<Pool extends { end(): Promise<void> }> {
  protected pool: Pool | undefined;
  protected readonly catalog: CatalogCache;
  private readonly statements: StatementCache;

  protected constructor(
    protected readonly settings: ConnectionSettings,
    private readonly dialect: SqlDialectName,
    catalogTtlMs = 60_000,
  ) {
    this.catalog = new CatalogCache(() => this.discoverSchema(), catalogTtlMs);
    this.statements = new StatementCache(dialect);
  }

  abstract discoverSchema(): Promise<DiscoveredSchema>;
  /** Opens the pool (and its knex) on first use. */
  protected abstract ensurePool(): Pool;
  protected abstract serverVersion(): Promise<string>;
  /** One compiled LQP statement on the pool (native placeholders), its rows as the driver reads them. */
  protected abstract fetchRows(sql: string, bindings: readonly unknown[]): Promise<Row[]>;
  protected abstract translateError(error: unknown): Error;

  async disconnect(): Promise<void> {
    const { pool } = this;
    this.pool = undefined;
    this.catalog.invalidate();
    await pool?.end();
  }

  /** Never throws: a failed check is `{ ok: false, error }`. */
  async testConnection(): Promise<ConnectionTestResult> {
    const started = performance.now();
    try {
      const serverVersion = await this.serverVersion();
      return { ok: true, latencyMs: Math.round(performance.now() - started), serverVersion };
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      return { ok: false, latencyMs, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Drops the cached catalog: the next LQP query discovers again. */
  refreshCatalog(): void {
    this.catalog.invalidate();
  }

  async executeLogicalQuery(query: LogicalQuery, options: ExecuteOptions = {}): Promise<LogicalQueryResult> {
    const catalog = await this.catalog.catalogFor(query);
    const page = cappedPage(query, this.settings.rowCap);
    const statement = this.statements.prepare(page, catalog);
    let fetched: Row[];
    try {
      fetched = await this.fetchRows(statement.sql, statement.bindings);
    } catch (error) {
      throw this.translateError(error);
    }
    const result = statement.readPage(fetched);
    return options.explain ? { ...result, explain: explain(page, catalog, this.dialect) } : result;
  }
}
