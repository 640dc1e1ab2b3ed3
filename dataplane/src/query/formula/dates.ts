import type { TemporalType } from './types.js';

/**
 * Calendar helpers shared by the checker and the evaluator. All dates are UTC: a `date` is the
 * instant of its UTC midnight.
 */
export type DateUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

/** Unit names accepted by DATEADD and DATETIME_DIFF (case-insensitive, singular or plural). */
export function parseDateUnit(text: string): DateUnit | undefined {
  const singular = text.toLowerCase().replace(/s$/, '');
  return (UNITS as readonly string[]).includes(singular) ? (singular as DateUnit) : undefined;
}
export const UNITS: readonly DateUnit[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'];

/** Milliseconds per unit, for the units of fixed length. */
export const UNIT_MS: Partial<Record<DateUnit, number>> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/** 'YYYY-MM-DD' is a date; 'YYYY-MM-DD HH:mm[:ss[.sss]]' with optional T, Z or ±HH:MM a date-time (UTC if no zone). */
export function parseTemporal(text: string): { type: TemporalType; instant: Date } | undefined {
  const d = DATE.exec(text);
  if (d) {
    const instant = utc(+d[1]!, +d[2]!, +d[3]!, 0, 0, 0, 0);
    return instant && { type: 'date', instant };
  }
  const t = DATETIME.exec(text);
  if (!t) return undefined;
  const ms = t[7] === undefined ? 0 : +t[7].padEnd(3, '0');
  const local = utc(+t[1]!, +t[2]!, +t[3]!, +t[4]!, +t[5]!, +(t[6] ?? 0), ms);
  if (!local) return undefined;
  const zone = t[8] ?? 'Z';
  const offset =
    zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (+zone.slice(1, 3) * 60 + +zone.slice(4, 6));
  return { type: 'datetime', instant: new Date(local.getTime() - offset * 60_000) };
}

/** A valid UTC instant from parts, or undefined when a part is out of range (2023-02-30). */
function utc(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): Date | undefined {
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59)
    return undefined;
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s, ms));
  date.setUTCFullYear(y);
  return date;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, month: number): number {
  return month === 2
    ? isLeapYear(y)
      ? 29
      : 28
    : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Adds whole months; a day past the end of the target month is clamped (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  const result = new Date(date.getTime());
  result.setUTCFullYear(year, month - 1, day);
  return result;
}

/** Complete months from b to a, truncated toward zero (a time of month not yet reached does not count). */
export function monthsBetween(a: Date, b: Date): number {
  const months = monthIndex(a) - monthIndex(b);
  const ra = msIntoMonth(a);
  const rb = msIntoMonth(b);
  if (months > 0 && ra < rb) return months - 1;
  if (months < 0 && ra > rb) return months + 1;
  return months;
}

function monthIndex(d: Date): number {
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function msIntoMonth(d: Date): number {
  const start = startOfUtcDay(d);
  start.setUTCDate(1);
  return d.getTime() - start.getTime();
}

export function startOfUtcDay(d: Date): Date {
  const day = new Date(d.getTime());
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

/** DATETIME_FORMAT tokens; any other character is printed as is. */
export const FORMAT_TOKENS = ['YYYY', 'SSS', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;
export type FormatToken = (typeof FORMAT_TOKENS)[number];
export type FormatPart = { token: FormatToken } | { literal: string };
export const DEFAULT_FORMAT = 'YYYY-MM-DDTHH:mm:ss.SSSZ';

export function parseDateFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let literal = '';
  for (let at = 0; at < format.length;) {
    const token = FORMAT_TOKENS.find((t) => format.startsWith(t, at));
    if (token === undefined) {
      literal += format[at];
      at++;
      continue;
    }
    if (literal !== '') parts.push({ literal });
    literal = '';
    parts.push({ token });
    at += token.length;
  }
  if (literal !== '') parts.push({ literal });
  return parts;
}

export function formatToken(d: Date, token: FormatToken): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  switch (token) {
    case 'YYYY':
      return pad(d.getUTCFullYear(), 4);
    case 'MM':
      return pad(d.getUTCMonth() + 1);
    case 'DD':
      return pad(d.getUTCDate());
    case 'HH':
      return pad(d.getUTCHours());
    case 'mm':
      return pad(d.getUTCMinutes());
    case 'ss':
      return pad(d.getUTCSeconds());
    case 'SSS':
      return pad(d.getUTCMilliseconds(), 3);
  }
}
