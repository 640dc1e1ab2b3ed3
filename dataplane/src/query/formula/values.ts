import { parseTemporal, startOfUtcDay } from './dates.js';
import type { FormulaType } from './types.js';

/**
 * Runtime values of the in-process evaluator: text → string, number → number, boolean → boolean,
 * date and datetime → Date (a date at UTC midnight), blank → null. These helpers hold the
 * semantics the compilers reproduce in SQL and MongoDB (README "Semantics").
 */

/** Number → text: shortest round-trip decimal; -0 prints as 0. */
export function numberToText(n: number): string {
  return String(n + 0);
}

/** Any value → text, as `&`, CONCAT and text parameters see it. */
export function toText(value: unknown, type: FormulaType): string | null {
  if (value === null) return null;
  switch (type) {
    case 'text':
      return value as string;
    case 'number':
      return numberToText(value as number);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'date':
      return isoDay(value as Date);
    case 'datetime':
      return isoInstant(value as Date);
    case 'null':
      return null;
  }
}

export function isoDay(d: Date): string {
  return isoInstant(d).slice(0, 10);
}

/** YYYY-MM-DDTHH:mm:ss.sssZ */
export function isoInstant(d: Date): string {
  return d.toISOString();
}

/** Binary (code point) order, as Postgres COLLATE "C", MySQL binary strings and MongoDB compare. */
export function compareText(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!;
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(ca.length - cb.length);
}

/** Orders two non-null values of one type. */
export function compareValues(a: unknown, b: unknown, type: FormulaType): number {
  if (type === 'text') return compareText(a as string, b as string);
  if (type === 'date' || type === 'datetime') return Math.sign((a as Date).getTime() - (b as Date).getTime());
  return Math.sign(Number(a) - Number(b));
}

/** Null-safe equality of `=` and SWITCH: BLANK() equals BLANK() only. */
export function sameValue(a: unknown, b: unknown, type: FormulaType): boolean {
  if (a === null || b === null) return a === null && b === null;
  return compareValues(a, b, type) === 0;
}

/** A finite number, or null for NaN and infinities. */
export function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** LOWER/UPPER: per code point, only where the mapping is one-to-one (ß stays ß). */
export function mapCase(text: string, to: 'lower' | 'upper'): string {
  return Array.from(text, (c) => {
    const mapped = to === 'lower' ? c.toLowerCase() : c.toUpperCase();
    return Array.from(mapped).length === 1 ? mapped : c;
  }).join('');
}

/**
 * A row value read as the field's type. Drivers differ (numeric as string, bigint, 0/1 booleans,
 * ISO strings); a value that cannot be read as the type counts as blank.
 */
export function fieldValue(value: unknown, type: FormulaType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number':
      return toNumber(value);
    case 'text':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return numberToText(value);
      return typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : null;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return typeof value === 'number' ? value !== 0 : null;
    case 'date':
    case 'datetime': {
      const instant = toInstant(value);
      if (instant === null) return null;
      return type === 'date' ? startOfUtcDay(instant) : instant;
    }
    case 'null':
      return null;
  }
}

/** Numbers, and what drivers send for them: numeric strings, bigint, Decimal128, Long. */
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'boolean' || value instanceof Date) return null;
  const text = String(value).trim();
  return text === '' ? null : finite(Number(text));
}

function toInstant(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') {
    const parsed = parseTemporal(value.replace(/(\.\d{3})\d+/, '$1'))?.instant ?? new Date(value);
    return Number.isNaN(parsed.getTime()) ? null : parsed;
  }
  return null;
}
