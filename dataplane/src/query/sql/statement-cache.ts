import type { Catalog } from '../catalog.js';
import { prepareStatement, type PreparedStatement } from './compile-sql.js';
import type { SqlDialectName } from './dialect.js';

export const DEFAULT_STATEMENT_CACHE_SIZE = 512;

/**
 * Prepared statements of one SQL source, by query text, most recently used kept. Preparing is a
 * pure function of the query and the catalog, so an entry is reused only for an identical query
 * against the same catalog object: a fresh discovery (a new catalog) starts an empty cache.
 * Invalid queries and bad cursors throw and are never cached. Views, public APIs and refreshing
 * screens send the same queries over and over; a query seen once costs one preparation (ADR 0008).
 */
export class StatementCache {
  private catalog: Catalog | undefined;
  private readonly entries = new Map<string, PreparedStatement>();

  constructor(
    private readonly dialect: SqlDialectName,
    private readonly maxEntries = DEFAULT_STATEMENT_CACHE_SIZE,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  prepare(query: unknown, catalog: Catalog): PreparedStatement {
    if (catalog !== this.catalog) {
      this.entries.clear();
      this.catalog = catalog;
    }
    const key = cacheKey(query);
    if (key === undefined) return prepareStatement(query, catalog, this.dialect);
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key); // re-inserted: Map order is recency order
      this.entries.set(key, cached);
      return cached;
    }
    const prepared = prepareStatement(query, catalog, this.dialect);
    this.entries.set(key, prepared);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return prepared;
  }
}

/**
 * The query as JSON, or undefined when JSON would not say exactly what the validator sees
 * (undefined members, non-finite numbers, objects with their own toJSON such as Date): those
 * queries are prepared every time and answered by the validator. The check walks the value
 * once; the native stringify then runs without a replacer (a replacer costs a call per member).
 */
function cacheKey(query: unknown): string | undefined {
  return isExactInJson(query, 0) ? JSON.stringify(query) : undefined;
}

/** Deeper than any valid LQP (filters nest at most 10 levels); deeper ones are not keyed. */
const MAX_DEPTH = 40;

function isExactInJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++)
          if (!(i in value) || !isExactInJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value)
        if (!isExactInJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}
