import { catalogOf, type Catalog } from '../../query/catalog.js';
import type { LogicalQuery } from '../../query/lqp.js';
import type { DiscoveredSchema } from '../adapter.js';
import { Cached } from './cached.js';

/**
 * The catalog an adapter compiles LQP queries against: its last discovery, kept `ttlMs`. A
 * query naming a table the cached catalog lacks (created since) triggers one fresh discovery.
 */
export class CatalogCache {
  private readonly cached: Cached<Catalog>;

  constructor(discover: () => Promise<DiscoveredSchema>, ttlMs: number) {
    this.cached = new Cached(async () => catalogOf((await discover()).tables), ttlMs);
  }

  /** Stores the result of an explicit discovery as the fresh catalog. */
  prime(schema: DiscoveredSchema): void {
    this.cached.prime(catalogOf(schema.tables));
  }

  invalidate(): void {
    this.cached.invalidate();
  }

  async catalogFor(query: LogicalQuery): Promise<Catalog> {
    const names = [query.source, ...(query.joins ?? [])];
    const known = (c: Catalog) => names.every((n) => n && c.table(n.table, n.schema));
    const catalog = await this.cached.get();
    return known(catalog) ? catalog : this.cached.refresh();
  }
}
