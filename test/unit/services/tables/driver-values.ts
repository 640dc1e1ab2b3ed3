import pg from 'pg';
import type { Column } from '../../../../dataplane/src/services/tables/column.js';

/**
 * What PostgreSQL and node-postgres (default parsers) hand back for a value encodeCell bound:
 * the server's text output of the stored value, through the driver's parser for the type.
 * int8 and numeric stay strings; `date` and `timestamptz` go through pg's own parsers.
 */
export function driverValueOf(column: Column, bound: unknown, sessionOffsetMinutes = 0): unknown {
  if (bound === null) return null;
  switch (column.type) {
    case 'integer':
      return String(bound);
    case 'decimal':
      return roundedNumericText(String(bound), column.options.precision ?? 2);
    case 'boolean':
      return parser(pg.types.builtins.BOOL)(bound ? 't' : 'f');
    case 'date':
      return parser(pg.types.builtins.DATE)(bound as string);
    case 'dateTime':
      return parser(pg.types.builtins.TIMESTAMPTZ)(
        timestamptzText(new Date(bound as string), sessionOffsetMinutes),
      );
    case 'multiSelect':
    case 'attachment':
      return parser(pg.types.builtins.JSONB)(JSON.stringify(JSON.parse(bound as string)));
    default:
      return bound; // text, uuid
  }
}

function parser(oid: number): (text: string) => unknown {
  return pg.types.getTypeParser(oid, 'text') as (text: string) => unknown;
}

/**
 * A decimal as `numeric(38, precision)` prints it: rounded half away from zero to
 * exactly `precision` digits, and never a negative zero.
 */
export function roundedNumericText(text: string, precision: number): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign, mantissaInt = '', mantissaFrac = '', exponent = '0'] = match;
  // Move the point by the exponent (node-postgres sends String(number), e.g. 1e-7).
  const all = mantissaInt + mantissaFrac;
  const point = mantissaInt.length + Number(exponent);
  const int = point <= 0 ? '0' : all.padEnd(point, '0').slice(0, point);
  const frac = point <= 0 ? '0'.repeat(-point) + all : all.slice(point);
  const kept = BigInt(int + frac.padEnd(precision, '0').slice(0, precision));
  const roundsUp = (frac[precision] ?? '0') >= '5';
  const magnitude = (roundsUp ? kept + 1n : kept).toString().padStart(precision + 1, '0');
  const digits =
    precision === 0 ? magnitude : `${magnitude.slice(0, -precision)}.${magnitude.slice(-precision)}`;
  return sign === '-' && /[1-9]/.test(digits) ? `-${digits}` : digits;
}

/** PostgreSQL's text of a timestamptz in a session whose zone is `offsetMinutes` east of UTC. */
export function timestamptzText(instant: Date, offsetMinutes: number): string {
  const local = new Date(instant.getTime() + offsetMinutes * 60_000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const fraction =
    local.getUTCMilliseconds() === 0 ? '' : `.${pad(local.getUTCMilliseconds(), 3)}`.replace(/0+$/, '');
  const zone = `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}`;
  const zoneMinutes = Math.abs(offsetMinutes) % 60 === 0 ? '' : `:${pad(Math.abs(offsetMinutes) % 60)}`;
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${zone}${zoneMinutes}`
  );
}
