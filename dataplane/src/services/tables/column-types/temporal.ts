/**
 * Calendar dates and instants as the API speaks them: dates `YYYY-MM-DD`, instants ISO 8601
 * normalised to `Date#toISOString()` (UTC, milliseconds). Years run from 0001 to 9999 so every
 * value prints in four digits and means the same in JavaScript and PostgreSQL.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `YYYY-MM-DD`, then optionally `T` (or a space) and `HH:MM[:SS[.fraction]]`, then optionally a
 * zone `Z` or `±HH[[:]MM]`. No zone means UTC. Offsets stop at ±15:59, as PostgreSQL's do.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const MAX_OFFSET_HOURS = 15;

/** The given date if it is a real calendar day of years 0001–9999 (2023-02-29 is not). */
export function parseDate(text: string): string | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  return isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3])) ? text : undefined;
}

/** The instant an ISO 8601 text names, or undefined when it names none (or one outside 0001–9999 UTC). */
export function parseInstant(text: string): Date | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = ''] = match;
  const [offsetSign, offsetHours = '0', offsetMinutes = '0'] = match.slice(9);
  const y = Number(year);
  if (!isCalendarDay(y, Number(month), Number(day))) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  if (Number(offsetHours) > MAX_OFFSET_HOURS || Number(offsetMinutes) > 59) return undefined;
  const instant = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  instant.setUTCFullYear(y, Number(month) - 1, Number(day));
  // Milliseconds are cut, not rounded, as Date parsing and node-postgres do.
  instant.setUTCHours(
    Number(hour),
    Number(minute),
    Number(second),
    Number(fraction.padEnd(3, '0').slice(0, 3)),
  );
  const offset = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const utc = new Date(instant.getTime() - (offsetSign === '-' ? -offset : offset));
  const utcYear = utc.getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999 ? utc : undefined;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/**
 * A Date node-postgres made from a `date` column as `YYYY-MM-DD`. It parses `date` as local
 * midnight, so the local getters give the stored day back; UTC getters would shift it a day in
 * zones east or west of UTC.
 */
export function localDateText(date: Date): string | undefined {
  if (Number.isNaN(date.getTime())) return undefined;
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
