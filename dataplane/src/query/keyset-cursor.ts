import { hash } from 'node:crypto';
import { BadRequestError } from '../platform/errors.js';
import type { LogicalType } from './catalog.js';

/**
 * Keyset cursors: the last row's sort-key values, opaque to clients (base64url JSON), bound to
 * the query's order by a fingerprint (a cursor from another sort or source is refused), and
 * checked value by value against the key types before anything reaches a statement. Anything
 * wrong is a 400 `invalid_cursor`, never a database error.
 */
export interface CursorKey {
  type: LogicalType;
  nullable: boolean;
}

export type CursorValue = string | number | boolean | null;

const NUMERIC = /^-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|Infinity)$|^NaN$/i;
const DATE = /^\d{4,}-\d{2}-\d{2}$/;
/** What the SQL compilers select for instants (ISO, UTC, microseconds) and the MongoDB one. */
const DATETIME = /^\d{4,}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]{2})*$/i;

const FITS: Record<LogicalType, (v: unknown) => boolean> = {
  text: (v) => typeof v === 'string',
  integer: (v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && NUMERIC.test(v)),
  number: (v) => (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && NUMERIC.test(v)),
  boolean: (v) => typeof v === 'boolean' || v === 0 || v === 1,
  date: (v) => typeof v === 'string' && DATE.test(v),
  datetime: (v) => typeof v === 'string' && DATETIME.test(v),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  binary: (v) => typeof v === 'string' && HEX.test(v),
  json: () => false,
  unknown: () => false,
};

/** A short digest of whatever identifies a query's order (source, keys, directions, dialect). */
export function cursorFingerprint(order: unknown): string {
  return hash('sha256', JSON.stringify(order), 'base64url').slice(0, 16);
}

export function encodeKeysetCursor(fingerprint: string, values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify({ f: fingerprint, k: values })).toString('base64url');
}

export function decodeKeysetCursor(
  cursor: string,
  fingerprint: string,
  keys: readonly CursorKey[],
): CursorValue[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const { f, k } = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as {
    f?: unknown;
    k?: unknown;
  };
  const fits =
    f === fingerprint &&
    Array.isArray(k) &&
    k.length === keys.length &&
    keys.every((key, i) => (k[i] === null ? key.nullable : FITS[key.type](k[i])));
  if (!fits)
    throw new BadRequestError('cursor is not a cursor this API issued for this query', 'invalid_cursor');
  return k as CursorValue[];
}
