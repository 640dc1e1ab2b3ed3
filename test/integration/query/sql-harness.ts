import type { Pagination, QueryResult } from '../../../dataplane/src/query/lqp.js';
import { runSqlQuery } from '../../../dataplane/src/query/sql/index.js';
import type { SqlDialectName } from '../../../dataplane/src/query/sql/dialect.js';
import { startMariadb, startPostgres, type TestEngine } from './sql-databases.js';
import { CATALOG, generateSeed, type Seed } from './sql-fixtures.js';

export interface Engines {
  seed: Seed;
  engine(dialect: SqlDialectName): TestEngine;
}

/** Registers mocha hooks that seed both engines once for the enclosing describe block. */
export function useEngines(): Engines {
  const seed = generateSeed();
  const started: Partial<Record<SqlDialectName, TestEngine>> = {};
  before(async function () {
    this.timeout(120_000);
    const [pg, my] = await Promise.all([startPostgres(seed), startMariadb(seed)]);
    Object.assign(started, { postgres: pg, mysql: my });
  });
  after(async () => {
    await Promise.all(Object.values(started).map((e) => e.drop()));
  });
  return {
    seed,
    engine: (dialect) => {
      const e = started[dialect];
      if (!e) throw new Error(`${dialect} did not start`);
      return e;
    },
  };
}

export const DIALECTS: SqlDialectName[] = ['postgres', 'mysql'];

export type Query = Record<string, unknown> & { pagination?: Pagination };

export function run(engines: Engines, dialect: SqlDialectName, query: unknown) {
  return runSqlQuery(engines.engine(dialect).knex, query, CATALOG, dialect);
}

/** The same query on PostgreSQL and on MariaDB. */
export async function onBoth(engines: Engines, query: unknown): Promise<[QueryResult, QueryResult]> {
  return Promise.all([run(engines, 'postgres', query), run(engines, 'mysql', query)]);
}

/** Every row, fetched page by page in offset mode (pages of `limit`). */
export async function fetchAllByOffset(
  engines: Engines,
  dialect: SqlDialectName,
  query: Query,
  limit = 1000,
) {
  const rows: Record<string, unknown>[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await run(engines, dialect, { ...query, pagination: { mode: 'offset', limit, offset } });
    rows.push(...page.rows);
    if (!page.hasMore) return rows;
  }
}

/** Every row, following keyset cursors until there is no next page. */
export async function fetchAllByKeyset(
  engines: Engines,
  dialect: SqlDialectName,
  query: Query,
  limit: number,
) {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const pagination: Pagination = cursor ? { mode: 'keyset', limit, cursor } : { mode: 'keyset', limit };
    const page = await run(engines, dialect, { ...query, pagination });
    rows.push(...page.rows);
    if (!page.nextCursor) return rows;
    cursor = page.nextCursor;
  }
  throw new Error('keyset pagination did not end');
}
