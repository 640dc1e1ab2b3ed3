import { BadRequestError } from '../platform/errors.js';
import { isUuid } from '../platform/ids.js';

/**
 * Keyset pagination over an ascending, unique tuple of columns. The cursor is opaque to clients
 * (base64url JSON of the last row's key) and every value in it is checked against its column's
 * kind before it reaches the query, so a forged cursor is a 400, never a database error.
 */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type KeyKind = 'uuid' | 'text' | 'integer';

export interface KeyColumn {
  column: string;
  kind: KeyKind;
}

const FITS: Record<KeyKind, (v: unknown) => boolean> = {
  uuid: (v) => typeof v === 'string' && isUuid(v),
  text: (v) => typeof v === 'string',
  integer: (v) => Number.isSafeInteger(v),
};

export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, kinds: readonly KeyKind[]): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (Array.isArray(key) && key.length === kinds.length && kinds.every((kind, i) => FITS[kind](key[i]))) {
    return key as (string | number)[];
  }
  throw new BadRequestError('cursor is not a cursor this API issued', 'invalid_cursor');
}

/** The part of a knex or objection query builder keyset pagination needs. */
interface KeysetQuery {
  whereRaw(sql: string, bindings: readonly (string | number)[]): unknown;
  orderBy(column: string, direction: 'asc'): unknown;
  limit(count: number): unknown;
}

/** Applies `(cols) > (cursor)`, the order and `limit + 1` (the extra row says whether more exist). */
export function applyKeyset<Q extends KeysetQuery>(
  query: Q,
  key: readonly KeyColumn[],
  cursor: string | undefined,
  limit: number,
): Q {
  if (cursor) {
    const values = decodeCursor(
      cursor,
      key.map((k) => k.kind),
    );
    const columns = key.map(() => '??').join(', ');
    const placeholders = key.map(() => '?').join(', ');
    query.whereRaw(`(${columns}) > (${placeholders})`, [...key.map((k) => k.column), ...values]);
  }
  for (const { column } of key) query.orderBy(column, 'asc');
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
