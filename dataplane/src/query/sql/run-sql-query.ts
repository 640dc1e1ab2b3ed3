import type { Knex } from 'knex';
import type { Catalog } from '../catalog.js';
import { encodeKeysetCursor } from '../keyset-cursor.js';
import type { QueryResult } from '../lqp.js';
import type { SqlDialectName } from './dialect.js';
import { prepareSql, toKnexRaw } from './compile-sql.js';
import { cursorValue, normalizeValue } from './normalize.js';

type Row = Record<string, unknown>;

/**
 * Runs an LQP on a SQL source: one statement fetching limit + 1 rows (the extra row only says
 * whether another page exists). Rows are keyed by output name; `nextCursor` is set in keyset
 * mode when more rows follow, `hasMore` in both modes. The session must be in UTC (README).
 */
export async function runSqlQuery(
  knex: Knex | Knex.Transaction,
  query: unknown,
  catalog: Catalog,
  dialect: SqlDialectName,
): Promise<QueryResult> {
  const { plan } = prepareSql(query, catalog, dialect);
  const result: unknown = await toKnexRaw(knex, dialect, plan);
  const fetched = (dialect === 'postgres' ? (result as { rows: Row[] }).rows : (result as [Row[]])[0]) ?? [];
  const hasMore = fetched.length > plan.limit;
  const page = hasMore ? fetched.slice(0, plan.limit) : fetched;
  const rows = page.map((raw) =>
    Object.fromEntries(plan.outputs.map((o) => [o.name, normalizeValue(o.type, raw[o.alias])])),
  );
  const last = page[page.length - 1];
  const nextCursor =
    hasMore && last && plan.cursorKeys.length > 0
      ? encodeKeysetCursor(
          plan.fingerprint,
          plan.cursorKeys.map((k) => cursorValue(k.type, last[k.alias])),
        )
      : null;
  return { rows, nextCursor, hasMore };
}
