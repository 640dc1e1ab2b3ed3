import type { Document } from 'mongodb';
import type { LogicalType } from '../../query/catalog.js';
import type { DiscoveredColumn } from '../adapter.js';

/**
 * Document structure analysis: what a sample of a collection's documents says about its fields.
 * Nested objects are flattened to dotted paths (`address.city`); arrays are fields of their own
 * (type json, native type `array`) and are not descended into. Keys that cannot be addressed as a
 * path (empty, starting with `$`, containing `.` or NUL) are skipped, so they never reach a catalog.
 */
export interface MongoDiscoveredColumn extends DiscoveredColumn {
  /** Share of sampled documents that have the field (null values included), 0..1. */
  frequency: number;
  /** How many sampled documents held each BSON type (`string`, `int`, `object`, ...). */
  types: Record<string, number>;
  /** Whether some sampled document held an array there. */
  array: boolean;
}

export interface StructureOptions {
  /** Objects nested deeper than this are one json field. Default 8. */
  maxDepth?: number;
  /** At most this many fields per collection (first seen first). Default 1000. */
  maxFields?: number;
}

const BSON_CLASS_TYPES: Record<string, string> = {
  ObjectId: 'objectId',
  Decimal128: 'decimal',
  Long: 'long',
  Int32: 'int',
  Double: 'double',
  BSONRegExp: 'regex',
  Timestamp: 'timestamp',
  Code: 'javascript',
  MinKey: 'minKey',
  MaxKey: 'maxKey',
  BSONSymbol: 'symbol',
  DBRef: 'dbPointer',
};

/** The BSON type name of a value as the driver returns it (`promoteValues: false` keeps int/double/long apart). */
export function bsonTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'long';
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 'int' : 'double';
    case 'object': {
      const tag = (value as { _bsontype?: string })._bsontype;
      if (tag === 'Binary') return (value as { sub_type?: number }).sub_type === 4 ? 'uuid' : 'binData';
      if (tag) return BSON_CLASS_TYPES[tag] ?? 'unknown';
      return value instanceof RegExp ? 'regex' : 'object';
    }
    default:
      return 'unknown';
  }
}

const isAddressable = (key: string) =>
  key.length > 0 && !key.startsWith('$') && !key.includes('.') && !key.includes('\0');

interface Tally {
  count: number;
  types: Record<string, number>;
}

function walk(
  doc: Document,
  prefix: string,
  depth: number,
  tallies: Map<string, Tally>,
  opts: Required<StructureOptions>,
) {
  for (const [key, value] of Object.entries(doc)) {
    if (!isAddressable(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    let tally = tallies.get(path);
    if (!tally) {
      if (tallies.size >= opts.maxFields) continue;
      tallies.set(path, (tally = { count: 0, types: {} }));
    }
    const type = bsonTypeOf(value);
    const nested = type === 'object' && depth < opts.maxDepth;
    tally.count++;
    tally.types[type] = (tally.types[type] ?? 0) + 1;
    if (nested) walk(value as Document, path, depth + 1, tallies, opts);
  }
}

const INTEGER = new Set(['int', 'long']);
const NUMBER = new Set(['int', 'long', 'double', 'decimal']);
const SINGLE: Record<string, LogicalType> = {
  string: 'text',
  objectId: 'text',
  bool: 'boolean',
  date: 'datetime',
  uuid: 'uuid',
  binData: 'binary',
  array: 'json',
  object: 'json',
};

/** One logical type for the non-null types seen; anything mixed is `unknown`. */
function logicalType(types: string[]): LogicalType {
  if (types.length > 0 && types.every((t) => INTEGER.has(t))) return 'integer';
  if (types.length > 0 && types.every((t) => NUMBER.has(t))) return 'number';
  return types.length === 1 ? (SINGLE[types[0] as string] ?? 'unknown') : 'unknown';
}

function toColumn(
  path: string,
  tally: Tally,
  total: number,
  nested: boolean,
): MongoDiscoveredColumn | undefined {
  const seen = Object.keys(tally.types).filter((t) => t !== 'null');
  const values = seen.filter((t) => !(t === 'object' && nested));
  if (values.length === 0 && seen.length > 0) return undefined; // only ever an object: its fields are the columns
  const type = values.length === seen.length ? logicalType(values) : 'unknown';
  return {
    name: path,
    type,
    nullable: path !== '_id' && (tally.count < total || (tally.types.null ?? 0) > 0),
    nativeType: seen.length === 0 ? 'null' : seen.join('|'),
    default: null,
    frequency: total === 0 ? 0 : tally.count / total,
    types: tally.types,
    array: (tally.types.array ?? 0) > 0,
  };
}

/** Columns of a collection from sampled documents (`_id` first); an empty sample yields an ObjectId `_id`. */
export function analyzeDocuments(docs: Document[], options: StructureOptions = {}): MongoDiscoveredColumn[] {
  const opts = { maxDepth: options.maxDepth ?? 8, maxFields: options.maxFields ?? 1000 };
  const tallies = new Map<string, Tally>();
  for (const doc of docs) walk(doc, '', 1, tallies, opts);
  if (!tallies.has('_id'))
    tallies.set('_id', { count: docs.length, types: docs.length === 0 ? { objectId: 0 } : {} });
  const parents = new Set([...tallies.keys()].map((p) => p.slice(0, Math.max(0, p.lastIndexOf('.')))));
  const columns = [...tallies.entries()]
    .map(([path, tally]) => toColumn(path, tally, docs.length, parents.has(path)))
    .filter((c): c is MongoDiscoveredColumn => c !== undefined);
  return [...columns.filter((c) => c.name === '_id'), ...columns.filter((c) => c.name !== '_id')];
}
