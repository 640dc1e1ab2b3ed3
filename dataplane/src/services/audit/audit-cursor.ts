import type { Knex } from 'knex';
import { BadRequestError } from '../../platform/errors.js';
import { decodeCursor, encodeCursor, type Page } from '../../store/keyset.js';
import type { AuditRow } from './audit-entry.js';

/** `2026-11-25T10:20:30.123456Z`: how the cursor spells an instant, to the microsecond. */
const INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Newest-first keyset pages over (created_at, id): the cursor is the last entry's exact instant
 * and id. The instant is checked to be a real one before it is bound, so a forged cursor is a
 * 400 `invalid_cursor`, never a database error.
 */
export function applyNewestFirst(query: Knex.QueryBuilder, cursor: string | undefined, limit: number): void {
  if (cursor) {
    const [at, id] = decodeCursor(cursor, ['text', 'uuid']) as [string, string];
    if (!isInstant(at)) throw new BadRequestError('cursor is not a cursor this API issued', 'invalid_cursor');
    void query.whereRaw('(created_at, id) < (?::timestamptz, ?::uuid)', [at, id]);
  }
  void query
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1);
}

export function newestFirstPage<T>(rows: AuditRow[], limit: number, map: (row: AuditRow) => T): Page<T> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    data: page.map(map),
    nextCursor: more && last ? encodeCursor([last.created_at_us, last.id]) : null,
  };
}

/** A well-formed instant that names a real date (no 30 February, no hour 25, no year 0). */
function isInstant(text: string): boolean {
  if (!INSTANT.test(text)) return false;
  const millis = Date.parse(`${text.slice(0, 23)}Z`);
  return Number.isFinite(millis) && new Date(millis).toISOString().slice(0, 23) === text.slice(0, 23);
}
