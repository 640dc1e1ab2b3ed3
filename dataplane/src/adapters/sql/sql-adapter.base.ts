import type { Knex } from 'knex';
import type { LogicalQuery } from '../../query/lqp.js';
import type { SqlDialectName } from '../../query/sql/index.js';
import type {
  ConnectionSettings,
  ConnectionTestResult,
  DiscoveredSchema,
  ExecuteOptions,
  LogicalQueryResult,
} from '../adapter.js';
import { CatalogCache } from './catalog-cache.js';
import { runLogicalQuery } from './logical-query.js';

/**
 * What the PostgreSQL and MySQL adapters share: one driver pool plus a knex that renders compiled
 * LQP statements on it, the cached catalog, the connection test and LQP execution. Subclasses
 * supply the pool, the server version query and the translation of driver errors.
 */
export abstract class SqlAdapterBase<Pool extends { end(): Promise<void> }> {
  protected pool: Pool | undefined;
  /** Renders and runs compiled LQP statements on `pool` (knex never owns a pool here). */
  protected knex: Knex | undefined;
  protected readonly catalog: CatalogCache;

  protected constructor(
    protected readonly settings: ConnectionSettings,
    private readonly dialect: SqlDialectName,
    catalogTtlMs = 60_000,
  ) {
    this.catalog = new CatalogCache(() => this.discoverSchema(), catalogTtlMs);
  }

  abstract discoverSchema(): Promise<DiscoveredSchema>;
  /** Opens the pool (and its knex) on first use. */
  protected abstract ensurePool(): Pool;
  protected abstract serverVersion(): Promise<string>;
  protected abstract translateError(error: unknown): Error;

  async disconnect(): Promise<void> {
    const { pool, knex } = this;
    this.pool = undefined;
    this.knex = undefined;
    this.catalog.invalidate();
    await knex?.destroy();
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
    this.ensurePool();
    try {
      return await runLogicalQuery(this.knex as Knex, query, catalog, this.dialect, {
        rowCap: this.settings.rowCap,
        readOnly: this.settings.readOnly,
        explain: options.explain ?? false,
      });
    } catch (error) {
      throw this.translateError(error);
    }
  }
}
