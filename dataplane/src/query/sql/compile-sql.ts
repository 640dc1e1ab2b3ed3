import knexFactory, { type Knex } from 'knex';
import type { Catalog, LogicalType } from '../catalog.js';
import { decodeKeysetCursor } from '../keyset-cursor.js';
import type { AnalyzedQuery } from '../plan.js';
import { analyzeQuery } from '../validate.js';
import type { SqlDialect, SqlDialectName } from './dialect.js';
import { MysqlDialect } from './mysql.dialect.js';
import { PostgresDialect } from './postgres.dialect.js';
import { pageReader, type PageReader } from './page-reader.js';
import { compileStatement, cursorSpec, type StatementPlan } from './statement.compiler.js';

export interface OutputColumn {
  name: string;
  type: LogicalType;
}

export interface CompiledSql {
  /** The statement as the driver receives it (`$1` placeholders for pg, `?` for mysql2). */
  sql: string;
  bindings: unknown[];
  outputColumns: OutputColumn[];
  pushedDown: string[];
  inProcess: string[];
}

const DIALECTS: Record<SqlDialectName, SqlDialect> = {
  postgres: new PostgresDialect(),
  mysql: new MysqlDialect(),
};
const KNEX_DIALECT: Record<SqlDialectName, string> = { postgres: 'postgresql', mysql: 'mysql' };

export function dialectFor(name: SqlDialectName): SqlDialect {
  return DIALECTS[name];
}

export interface PreparedSql {
  analyzed: AnalyzedQuery;
  plan: StatementPlan;
  pushedDown: string[];
}

/** Validates (422), decodes the cursor (400) and compiles; no database is touched. */
export function prepareSql(query: unknown, catalog: Catalog, dialectName: SqlDialectName): PreparedSql {
  const analyzed = analyzeQuery(query, catalog);
  const dialect = dialectFor(dialectName);
  const { pagination } = analyzed;
  let cursor;
  if (pagination.mode === 'keyset' && pagination.cursor !== undefined) {
    const spec = cursorSpec(analyzed, dialect);
    cursor = decodeKeysetCursor(pagination.cursor, spec.fingerprint, spec.keys);
  }
  return { analyzed, plan: compileStatement(analyzed, dialect, cursor), pushedDown: pushedDown(analyzed) };
}

/** The clauses a SQL source evaluates: all of them (formulas compile to SQL; DESIGN §3). */
function pushedDown(plan: AnalyzedQuery): string[] {
  const parts = ['source'];
  if (plan.joins.length > 0) parts.push('joins');
  if (plan.filter) parts.push('filter');
  if (plan.computed.length > 0) parts.push('computedColumns');
  if (plan.grouped) parts.push('groupBy');
  if (plan.orderKeys.length > 0) parts.push('sorts');
  parts.push(`pagination:${plan.pagination.mode}`);
  return parts;
}

export function toKnexRaw(knex: Knex, dialectName: SqlDialectName, plan: StatementPlan): Knex.Raw {
  if (knex.client.dialect !== KNEX_DIALECT[dialectName])
    throw new Error(`a ${String(knex.client.dialect)} knex cannot run ${dialectName} SQL`);
  return knex.raw(plan.statement.sql, plan.statement.bindings as Knex.RawBinding[]);
}

/** Connection-less knex instances: they only render SQL, they never open a pool. */
const renderers = new Map<SqlDialectName, Knex>();

export function sqlRenderer(dialect: SqlDialectName): Knex {
  let knex = renderers.get(dialect);
  if (!knex) {
    knex = knexFactory({ client: dialect === 'postgres' ? 'pg' : 'mysql2' });
    renderers.set(dialect, knex);
  }
  return knex;
}

/** An LQP ready for a driver: the statement in its native placeholders and how to read its rows. */
export interface PreparedStatement {
  sql: string;
  bindings: readonly unknown[];
  readPage: PageReader;
}

/** Validates (422), checks the cursor (400), compiles and renders once; adapters cache the result. */
export function prepareStatement(
  query: unknown,
  catalog: Catalog,
  dialect: SqlDialectName,
): PreparedStatement {
  const { plan } = prepareSql(query, catalog, dialect);
  const native = toKnexRaw(sqlRenderer(dialect), dialect, plan).toSQL().toNative();
  return { sql: native.sql, bindings: native.bindings, readPage: pageReader(plan) };
}

/** compileSql: the LQP as one parameterised statement for `dialect`, through `knex` (of that dialect). */
export function compileSql(
  query: unknown,
  catalog: Catalog,
  dialect: SqlDialectName,
  knex: Knex,
): CompiledSql {
  const { plan, pushedDown } = prepareSql(query, catalog, dialect);
  const native = toKnexRaw(knex, dialect, plan).toSQL().toNative();
  return {
    sql: native.sql,
    bindings: [...native.bindings],
    outputColumns: plan.outputs.map(({ name, type }) => ({ name, type })),
    pushedDown,
    inProcess: [],
  };
}
