import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';

/**
 * BSON values as the plain values rows carry (JSON-safe except Date, which every adapter
 * returns as a Date): ObjectId → 24-hex text, Decimal128 → decimal text (no precision lost),
 * Long → number when safe, else text; UUID binaries → UUID text, other binaries → base64;
 * regexes, timestamps, code and min/max keys → text. Objects and arrays are converted deeply.
 */
export function toPlainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return typeof value === 'bigint' ? bigToPlain(value) : value;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(toPlainValue);
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof Decimal128) return value.toString();
  if (value instanceof Long) return bigToPlain(value.toBigInt());
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Binary) {
    return value.sub_type === Binary.SUBTYPE_UUID && value.length() === 16
      ? value.toUUID().toHexString(true)
      : value.toString('base64');
  }
  if (value instanceof BSONRegExp) return `/${value.pattern}/${value.options}`;
  if (value instanceof Timestamp) return value.toString();
  if (value instanceof Code) return value.code;
  if (value instanceof BSONSymbol) return value.valueOf();
  if (value instanceof MinKey || value instanceof MaxKey) return value._bsontype;
  if (value instanceof RegExp) return value.toString();
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlainValue(v)]));
}

function bigToPlain(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** A plain value as a formula input: decimal text of a Decimal128 becomes a number. */
export function toFormulaInput(value: unknown): unknown {
  if (value instanceof Decimal128) return Number(value.toString());
  return toPlainValue(value);
}
