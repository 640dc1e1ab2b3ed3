import { normalizeValue, toNumberIfSafe } from '../../../query/sql/normalize.js';
import type { Column } from '../column.js';
import { localDateText, parseDate, parseInstant } from './temporal.js';

/**
 * Decoders: what node-postgres hands back for a column (default parsers: bigint and numeric as
 * strings, date as a local-midnight Date, timestamptz as a Date, jsonb parsed) to the JSON the
 * API answers. Each takes a non-null value and never throws; what it does not recognise it
 * passes on as the query layer's normaliser would.
 */
export type Decoder = (raw: NonNullable<unknown>, column: Column) => unknown;

export const decodeAsIs: Decoder = (raw) => raw;

/** Numbers while a double holds them exactly, else the decimal string (bigint, numeric). */
export const decodeNumber: Decoder = (raw) => toNumberIfSafe(raw);

/** A Date from a `date` column (local midnight, see localDateText) or its 'YYYY-MM-DD' text. */
export const decodeDate: Decoder = (raw) => {
  if (raw instanceof Date) return localDateText(raw) ?? null;
  if (typeof raw === 'string') return parseDate(raw.slice(0, 10)) ?? raw;
  return raw;
};

/** ISO 8601 in UTC with milliseconds, from a Date or from PostgreSQL's text of a timestamptz. */
export const decodeInstant: Decoder = (raw) => {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : raw.toISOString();
  if (typeof raw === 'string') return parseInstant(raw)?.toISOString() ?? raw;
  return raw;
};

export const decodeUuid: Decoder = (raw) => (typeof raw === 'string' ? raw.toLowerCase() : raw);

/** jsonb arrives parsed; json text (a caller that turned the parser off) is parsed here. */
export const decodeJson: Decoder = (raw) => normalizeValue('json', raw);

/** Formula results and min/max rollups: their type is known to the caller, not here. */
export const decodeUnknown: Decoder = (raw) => normalizeValue('unknown', raw);
