import { BadRequestError } from '../platform/errors.js';

/**
 * Keyset pagination over an ascending, unique tuple of columns. The cursor is opaque to clients
 * (base64url JSON of the last row's key) and is validated before any value reaches the query.
 */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return key as (string | number)[];
    }
  } catch {
    // falls through to the error below: a cursor we did not issue
  }
  throw new BadRequestError('cursor is not a cursor this API issued', 'invalid_cursor');
}

/** Applies `(cols) > (cursor)`, the order and `limit + 1` (the extra row says whether more exist). */
/** The part of a knex or objection query builder keyset pagination needs. */
interface KeysetQuery {
  whereRaw(sql: string, bindings: readonly (string | number)[]): unknown;
  orderBy(column: string, direction: 'asc'): unknown;
  limit(count: number): unknown;
}

export function applyKeyset<Q extends KeysetQuery>(
  query: Q,
  columns: string[],
  cursor: string | undefined,
  limit: number,
): Q {
  if (cursor) {
    const key = decodeCursor(cursor, columns.length);
    const placeholders = columns.map(() => '??').join(', ');
    const values = columns.map(() => '?').join(', ');
    query.whereRaw(`(${placeholders}) > (${values})`, [...columns, ...key]);
  }
  for (const column of columns) query.orderBy(column, 'asc');
  query.limit(limit + 1);
  return query;
}

export function toPage<R, T>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => (string | number)[],
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { data: pageRows.map(map), nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}
