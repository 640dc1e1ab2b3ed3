/**
 * Small predicates over untrusted JSON input, shared by the option checks and the cell encoders.
 * None of them throws, whatever it is given.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A JSON object: not an array, not a boxed primitive, not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// In a `u` regex a surrogate class only matches unpaired halves; paired ones are one code point.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL = /[\u0000-\u001F\u007F]/;

/** PostgreSQL text and jsonb refuse NUL, and jsonb refuses unpaired surrogates. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** A single-line label (choice names, MIME types): storable and free of control characters. */
export function isLabel(text: string): boolean {
  return isStorableText(text) && !CONTROL.test(text);
}

/** Characters as PostgreSQL's char_length counts them (code points, not UTF-16 units). */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Whether `text` has more than `max` code points, without counting long strings that cannot. */
export function exceedsLength(text: string, max: number): boolean {
  if (text.length <= max) return false; // code points never outnumber UTF-16 units
  return codePointLength(text) > max;
}

const PREVIEW_LENGTH = 100;

/** A user string quoted for a message, cut so a detail never echoes more than ~100 characters. */
export function quoted(text: string): string {
  const cut = text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
  return JSON.stringify(cut);
}

/** What a value is, for messages (`expected a string, got an array`). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `a ${typeof value}`;
}
