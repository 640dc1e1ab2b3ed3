import knexFactory, { type Knex } from 'knex';
import type { Catalog } from './catalog.js';
import type { QueryExplanation } from './lqp.js';
import { compileSql } from './sql/compile-sql.js';
import type { SqlDialectName } from './sql/dialect.js';

/** Connection-less knex instances: they only render SQL, they never open a pool. */
const renderers = new Map<SqlDialectName, Knex>();

function renderer(dialect: SqlDialectName): Knex {
  let knex = renderers.get(dialect);
  if (!knex) {
    knex = knexFactory({ client: dialect === 'postgres' ? 'pg' : 'mysql2' });
    renderers.set(dialect, knex);
  }
  return knex;
}

/**
 * What a query compiles to on a SQL source and which parts run there. Validates like
 * `validateQuery` (422) and checks the cursor (400). (MongoDB targets are explained by the
 * MongoDB compiler.)
 */
export function explain(query: unknown, catalog: Catalog, dialect: SqlDialectName): QueryExplanation {
  const compiled = compileSql(query, catalog, dialect, renderer(dialect));
  return {
    target: dialect,
    compiled: compiled.sql,
    bindings: compiled.bindings,
    pushedDown: compiled.pushedDown,
    inProcess: compiled.inProcess,
  };
}
