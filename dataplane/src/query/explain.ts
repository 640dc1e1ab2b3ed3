import type { Catalog } from './catalog.js';
import type { QueryExplanation } from './lqp.js';
import { compileSql, sqlRenderer } from './sql/compile-sql.js';
import type { SqlDialectName } from './sql/dialect.js';

/**
 * What a query compiles to on a SQL source and which parts run there. Validates like
 * `validateQuery` (422) and checks the cursor (400). (MongoDB targets are explained by the
 * MongoDB compiler.)
 */
export function explain(query: unknown, catalog: Catalog, dialect: SqlDialectName): QueryExplanation {
  const compiled = compileSql(query, catalog, dialect, sqlRenderer(dialect));
  return {
    target: dialect,
    compiled: compiled.sql,
    bindings: compiled.bindings,
    pushedDown: compiled.pushedDown,
    inProcess: compiled.inProcess,
  };
}
