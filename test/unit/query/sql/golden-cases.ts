import { encodeKeysetCursor } from '../../../../dataplane/src/query/keyset-cursor.js';
import type { LogicalQuery } from '../../../../dataplane/src/query/lqp.js';
import { dialectFor } from '../../../../dataplane/src/query/sql/compile-sql.js';
import type { SqlDialectName } from '../../../../dataplane/src/query/sql/dialect.js';
import { cursorSpec } from '../../../../dataplane/src/query/sql/statement.compiler.js';
import { analyzeQuery } from '../../../../dataplane/src/query/validate.js';
import { TWO_HOPS, UNIT_CATALOG } from './unit-catalog.js';

/** The LQPs of the golden tests; each dialect's file holds the SQL and bindings they compile to. */
const keyset = { mode: 'keyset', limit: 50 } as const;

export const GOLDEN: Record<string, LogicalQuery> = {
  'defaults: every source column, ordered by the primary key': {
    source: { table: 'orders' },
    pagination: keyset,
  },
  'text: exact equality, code-point order, case-insensitive matching with % _ ! escaped': {
    source: { table: 'orders' },
    select: ['id'],
    filter: {
      and: [
        { field: 'status', op: 'eq', value: 'open' },
        { field: 'status', op: 'neq', value: 'closed' },
        { field: 'status', op: 'lt', value: 'z' },
        { field: 'status', op: 'in', value: ['a', 'b'] },
        { field: 'status', op: 'nin', value: ['c'] },
        { field: 'status', op: 'contains', value: '50%_off!' },
        { field: 'status', op: 'ncontains', value: 'x' },
        { field: 'status', op: 'startsWith', value: 'a' },
        { field: 'status', op: 'endsWith', value: 'z' },
        { field: 'status', op: 'isEmpty' },
        { field: 'status', op: 'between', value: ['a', 'm'] },
      ],
    },
    pagination: { mode: 'offset', limit: 10, offset: 0 },
  },
  'numbers, booleans, uuids, json and emptiness': {
    source: { table: 'orders' },
    select: ['id'],
    filter: {
      and: [
        { field: 'qty', op: 'gte', value: 3 },
        { field: 'price', op: 'between', value: [1.5, 9.99] },
        { field: 'paid', op: 'eq', value: true },
        { field: 'paid', op: 'neq', value: false },
        { field: 'ref', op: 'eq', value: '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B' },
        { field: 'meta', op: 'isNotEmpty' },
        { field: 'qty', op: 'nin', value: [1, 2] },
      ],
    },
    pagination: { mode: 'offset', limit: 10, offset: 0 },
  },
  'dates: helpers relative to now and today, ISO values normalised to UTC': {
    source: { table: 'orders' },
    select: ['id'],
    filter: {
      or: [
        { field: 'due', op: 'isToday' },
        { field: 'shipped_at', op: 'isToday' },
        { field: 'shipped_at', op: 'isPast' },
        { field: 'due', op: 'isFuture' },
        { field: 'shipped_at', op: 'inLastDays', value: 7 },
        { field: 'due', op: 'inNextDays', value: 3 },
        { field: 'shipped_at', op: 'gt', value: '2024-05-01T12:00:00+02:00' },
        { field: 'due', op: 'eq', value: '2024-02-29' },
      ],
    },
    pagination: { mode: 'offset', limit: 10, offset: 0 },
  },
  'not, empty groups and empty lists': {
    source: { table: 'orders' },
    select: ['id'],
    filter: {
      or: [
        { not: { field: 'qty', op: 'gt', value: 5 } },
        { and: [] },
        { or: [] },
        { field: 'qty', op: 'in', value: [] },
        { field: 'qty', op: 'nin', value: [] },
      ],
    },
    pagination: { mode: 'offset', limit: 10, offset: 0 },
  },
  'two-hop joins: aliases t0, t1, t2, a schema, joined outputs': {
    source: { table: 'orders' },
    select: ['id', 'c.name', 'k.name'],
    joins: TWO_HOPS,
    filter: { field: 'k.name', op: 'eq', value: 'Österreich' },
    pagination: { mode: 'offset', limit: 10, offset: 20 },
  },
  'sorts: mixed directions, NULLs last, primary keys of every table a join can repeat as tiebreakers': {
    source: { table: 'orders' },
    select: ['id'],
    joins: TWO_HOPS,
    sorts: [{ field: 'due', direction: 'desc' }, { field: 'c.name' }, { field: 'paid', direction: 'desc' }],
    pagination: keyset,
  },
  'grouped: every aggregate, sorted by one, keyset': {
    source: { table: 'orders' },
    groupBy: {
      fields: ['status', 'paid'],
      aggregates: [
        { fn: 'count', as: 'n' },
        { fn: 'countDistinct', field: 'ref', as: 'refs' },
        { fn: 'sum', field: 'qty', as: 'qty' },
        { fn: 'avg', field: 'price', as: 'avg' },
        { fn: 'min', field: 'status', as: 'first' },
        { fn: 'max', field: 'shipped_at', as: 'last' },
      ],
    },
    sorts: [{ field: 'n', direction: 'desc' }],
    pagination: keyset,
  },
  'computed columns: formulas as SQL, filtered and sorted': {
    source: { table: 'orders' },
    select: ['id', 'total'],
    computedColumns: [{ name: 'total', formula: '{qty} * {price}' }],
    filter: { field: 'total', op: 'gt', value: 100 },
    sorts: [{ field: 'total', direction: 'desc' }],
    pagination: { mode: 'offset', limit: 10, offset: 0 },
  },
};

/** Keyset continuation: the cursor holds (due, status, id) with a NULL status. */
export function withCursor(dialect: SqlDialectName): LogicalQuery {
  const query: LogicalQuery = {
    source: { table: 'orders' },
    select: ['id'],
    sorts: [{ field: 'due', direction: 'desc' }, { field: 'status' }],
    pagination: keyset,
  };
  const { fingerprint } = cursorSpec(analyzeQuery(query, UNIT_CATALOG), dialectFor(dialect));
  const cursor = encodeKeysetCursor(fingerprint, ['2024-03-01', null, 42]);
  return { ...query, pagination: { ...keyset, cursor } };
}

/** A cursor after one nullable sort field and the primary key: `ORDER BY qty DESC, id DESC`. */
export function withFieldAndKeyCursor(dialect: SqlDialectName): LogicalQuery {
  const query: LogicalQuery = {
    source: { table: 'orders' },
    select: ['id'],
    sorts: [
      { field: 'qty', direction: 'desc' },
      { field: 'id', direction: 'desc' },
    ],
    pagination: keyset,
  };
  const { fingerprint } = cursorSpec(analyzeQuery(query, UNIT_CATALOG), dialectFor(dialect));
  const cursor = encodeKeysetCursor(fingerprint, [7, 42]);
  return { ...query, pagination: { ...keyset, cursor } };
}
