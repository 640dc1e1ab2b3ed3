import { createHash } from 'node:crypto';
import { EJSON, type Document } from 'bson';
import { BadRequestError } from '../../platform/errors.js';
import { MATCH_NOTHING } from './filter.compiler.js';
import { INTERNAL_PREFIX } from './paths.js';

/**
 * Sorting and keyset pagination, with the SQL compilers' order: NULLs last in both directions,
 * and unique tiebreakers at the end (`_id`, the `_id` of each joined document, or the group key).
 *  - A key that may be missing is first copied into `__lt_kN` with `$ifNull: [.., null]`:
 *    `$sort` treats missing like null but `$expr` comparisons do not, and the cursor condition
 *    must agree with the order exactly.
 *  - An ascending nullable key sorts after a rank `__lt_nN` (1 for null), which puts NULLs
 *    last; descending needs none (null is the smallest BSON value).
 *  - After the cursor on key i: earlier keys equal and key i beyond it (`$gt`/`$lt`, or null —
 *    the null branch is explicit because the in-repo test server does not order null in `$expr`);
 *    a null cursor value has nothing beyond it on that key.
 * The cursor is opaque: base64url of Extended JSON `{f, v}` — a fingerprint of the sort and the
 * last row's key values with their BSON types (ObjectId, Date, ...). Values re-enter the pipeline
 * only inside `$literal`, so a forged cursor holds nothing that becomes an operator or a path.
 */
export interface SortKey {
  /** The path the documents are sorted on: the `__lt_kN` helper, or `from` when it is never missing. */
  path: string;
  direction: 1 | -1;
  nullable: boolean;
  /** The field the helper copies (absent: `path` is read as is). */
  from?: string;
  /** The null rank sorted just before this key (ascending nullable keys). */
  rank?: string;
}

export function sortKey(
  index: number,
  path: string,
  direction: 1 | -1,
  nullable: boolean,
  mayBeMissing: boolean,
): SortKey {
  const key: SortKey = mayBeMissing
    ? { path: `${INTERNAL_PREFIX}k${index}`, direction, nullable, from: path }
    : { path, direction, nullable };
  if (nullable && direction === 1) key.rank = `${INTERNAL_PREFIX}n${index}`;
  return key;
}

const lit = (value: unknown): Document => ({ $literal: value });

/** Rows strictly after `value` on one key, in its direction, NULLs last. */
function beyond(key: SortKey, value: unknown): Document | null {
  if (value === null) return null;
  const ref = `$${key.path}`;
  const past = { [key.direction === 1 ? '$gt' : '$lt']: [ref, lit(value)] };
  return key.nullable ? { $or: [past, { $eq: [ref, null] }] } : past;
}

/** "After the cursor" as a `$match`. */
export function keysetMatch(keys: SortKey[], values: unknown[]): Document {
  const [first] = keys;
  if (
    keys.length === 1 &&
    first?.path === '_id' &&
    first.direction === 1 &&
    !first.nullable &&
    values[0] !== null
  ) {
    return { _id: { $gt: values[0] } }; // the common case stays index-friendly
  }
  const branches: Document[] = [];
  keys.forEach((key, i) => {
    const next = beyond(key, values[i]);
    if (!next) return;
    const equalBefore = keys.slice(0, i).map((k, j) => ({ $eq: [`$${k.path}`, lit(values[j])] }));
    branches.push(equalBefore.length === 0 ? next : { $and: [...equalBefore, next] });
  });
  if (branches.length === 0) return MATCH_NOTHING;
  return { $expr: branches.length === 1 ? branches[0] : { $or: branches } };
}

/** `$addFields` for helpers and ranks (if any), the keyset `$match` (with a cursor) and `$sort`. */
export function sortStages(keys: SortKey[], cursorValues: unknown[] | undefined): Document[] {
  const stages: Document[] = [];
  const helpers: Document = {};
  for (const k of keys) {
    const source = k.from === undefined ? `$${k.path}` : { $ifNull: [`$${k.from}`, null] };
    if (k.from !== undefined) helpers[k.path] = source;
    if (k.rank) helpers[k.rank] = { $cond: [{ $eq: [source, null] }, 1, 0] };
  }
  if (Object.keys(helpers).length > 0) stages.push({ $addFields: helpers });
  if (cursorValues) stages.push({ $match: keysetMatch(keys, cursorValues) });
  const sort: Document = {};
  for (const k of keys) {
    if (k.rank) sort[k.rank] = 1;
    sort[k.path] = k.direction;
  }
  if (keys.length > 0) stages.push({ $sort: sort });
  return stages;
}

export function cursorFingerprint(scope: unknown): string {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 16);
}

export function encodeCursor(fingerprint: string, values: unknown[]): string {
  return Buffer.from(EJSON.stringify({ f: fingerprint, v: values }, { relaxed: false }), 'utf8').toString(
    'base64url',
  );
}

/** Sort keys are scalars or BSON scalars (ObjectId, Date, ...); never plain objects or arrays. */
function isKeyValue(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value) || value instanceof Date)
    return true;
  return typeof value === 'object' && typeof (value as { _bsontype?: unknown })._bsontype === 'string';
}

/** The key values of a cursor issued for the same order; anything else is a 400. */
export function decodeCursor(cursor: string, fingerprint: string, keyCount: number): unknown[] {
  let parsed: unknown;
  try {
    parsed = EJSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'), { relaxed: false });
  } catch {
    parsed = undefined;
  }
  const { f, v } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    f?: unknown;
    v?: unknown;
  };
  if (f !== fingerprint || !Array.isArray(v) || v.length !== keyCount || !v.every(isKeyValue)) {
    throw new BadRequestError('cursor is not a cursor this API issued for this query', 'invalid_cursor');
  }
  return v;
}
