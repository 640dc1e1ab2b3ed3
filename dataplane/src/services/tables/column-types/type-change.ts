import type { Column } from '../column.js';
import {
  BIGINT_MAX,
  BIGINT_MIN,
  DEFAULT_PRECISION,
  integerDigitsOf,
  MAX_MULTI_SELECT,
  MAX_TEXT_LENGTH,
} from './limits.js';
import { sqlInList, sqlTextArray } from './sql-literal.js';
import {
  numericFits,
  textIsBoolean,
  textIsDate,
  textIsDecimal,
  textIsInstant,
  textIsInteger,
  textToBoolean,
  textToInstant,
} from './sql-text-parsing.js';

/**
 * How `ALTER TABLE … ALTER COLUMN <column> TYPE <sqlTypeOf(to)> USING <using(column)>` converts
 * a column's data. `column` is an already-quoted identifier the caller makes from metadata.
 * `failing` is a boolean, never NULL, true for the rows whose non-null value would not convert
 * (undefined when every value converts); the caller refuses the change or clears those rows
 * first. `using` turns those rows into NULL rather than raising an error, and contains no
 * subquery (PostgreSQL allows none in a transform expression).
 */
export interface TypeChangePlan {
  using(column: string): string;
  failing(column: string): string | undefined;
}

type Target = Pick<Column, 'type' | 'options'>;

/** How one value converts: `value` is its new value; `converts`, when some do not, a safe test. */
interface Conversion {
  value: (c: string) => string;
  converts?: (c: string) => string;
}

const IDENTITY: Conversion = { value: (c) => c };

/**
 * The conversion between two stored column types, or undefined when there is none. Text reads
 * as other types as sql-text-parsing.ts says (trimmed; blank text becomes NULL); other types
 * print as text the way the API answers them. autoNumber values convert like integers (the
 * caller drops the identity first); nothing converts to autoNumber but itself.
 */
export function typeChangePlan(from: Target, to: Target): TypeChangePlan | undefined {
  const conversion = conversionOf(from, to);
  if (!conversion) return undefined;
  const { value, converts } = conversion;
  if (!converts) return { using: value, failing: () => undefined };
  return {
    using: (c) => `CASE WHEN ${converts(c)} THEN ${value(c)} END`,
    failing: (c) => `(${c} IS NOT NULL AND NOT coalesce(${converts(c)}, false))`,
  };
}

function conversionOf(from: Target, to: Target): Conversion | undefined {
  const source = from.type === 'autoNumber' ? 'integer' : from.type;
  const choices = (to.options.choices ?? []).map((choice) => choice.name);
  switch (to.type) {
    case 'text':
    case 'longText':
      return toText(from, to.type);
    case 'integer':
      if (source === 'integer') return IDENTITY;
      if (source === 'decimal') return DECIMAL_TO_INTEGER;
      return fromText(source, { converts: textIsInteger, value: (t) => `${t}::bigint` });
    case 'decimal':
      return toDecimal(from, to.options.precision ?? DEFAULT_PRECISION);
    case 'boolean':
      if (source === 'boolean') return IDENTITY;
      return fromText(source, { converts: textIsBoolean, value: textToBoolean });
    case 'date':
      if (source === 'date') return IDENTITY;
      if (source === 'dateTime') return { value: (c) => `(${c} AT TIME ZONE 'UTC')::date` };
      return fromText(source, { converts: textIsDate, value: (t) => `${t}::date` });
    case 'dateTime':
      if (source === 'dateTime') return IDENTITY;
      if (source === 'date') return { value: (c) => `(${c}::timestamp AT TIME ZONE 'UTC')` };
      return fromText(source, { converts: textIsInstant, value: textToInstant });
    case 'singleSelect':
      if (source === 'singleSelect') return { value: (c) => c, converts: (c) => sqlInList(c, choices) };
      if (source === 'multiSelect') return multiToSingle(choices);
      return fromText(source, { converts: (t) => sqlInList(t, choices), value: (t) => t });
    case 'multiSelect':
      if (source === 'singleSelect') {
        return { value: (c) => `jsonb_build_array(${c})`, converts: (c) => sqlInList(c, choices) };
      }
      if (source === 'multiSelect') return multiToMulti(choices);
      return undefined;
    case 'user':
    case 'attachment':
    case 'autoNumber':
      return from.type === to.type ? IDENTITY : undefined;
    default:
      return undefined; // not stored: nothing to ALTER
  }
}

/**
 * Text to another type: the text is trimmed of spaces and blank text becomes NULL (it is no
 * value, as `required` sees it), so only texts that say something can fail.
 */
function fromText(source: string, conversion: Required<Conversion>): Conversion | undefined {
  if (source !== 'text' && source !== 'longText') return undefined;
  const trimmed = (c: string) => `btrim(${c})`;
  return {
    converts: (c) => `(${trimmed(c)} = '' OR ${conversion.converts(trimmed(c))})`,
    value: (c) => `CASE WHEN ${trimmed(c)} <> '' THEN ${conversion.value(trimmed(c))} END`,
  };
}

/** Values as the API prints them: dates ISO, instants ISO in UTC, multiSelect names comma-joined. */
function toText(from: Target, to: 'text' | 'longText'): Conversion | undefined {
  switch (from.type) {
    case 'text':
    case 'longText':
    case 'singleSelect':
      return from.type === 'longText' && to === 'text'
        ? { value: (c) => c, converts: (c) => `char_length(${c}) <= ${MAX_TEXT_LENGTH}` }
        : IDENTITY;
    case 'integer':
    case 'autoNumber':
    case 'boolean':
    case 'user':
      return { value: (c) => `${c}::text` };
    case 'decimal':
      return { value: (c) => `trim_scale(${c})::text` };
    case 'date':
      return { value: (c) => `to_char(${c}, 'YYYY-MM-DD')` };
    case 'dateTime':
      return { value: (c) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` };
    case 'multiSelect':
      return MULTI_TO_TEXT;
    default:
      return undefined;
  }
}

/**
 * `array_to_string` skips the NULLs that `->>` gives past the end of shorter arrays. An array
 * expression rather than a subquery over jsonb_array_elements_text, which USING does not allow.
 */
const MULTI_TO_TEXT: Conversion = {
  value: (c) => {
    const elements = Array.from({ length: MAX_MULTI_SELECT }, (_, i) => `${c} ->> ${i}`);
    return `array_to_string(ARRAY[${elements.join(', ')}], ', ')`;
  },
  converts: (c) => `${jsonArrayLength(c)} <= ${MAX_MULTI_SELECT}`,
};

/** NULL unless the jsonb is an array (jsonb_array_length raises an error on anything else). */
function jsonArrayLength(c: string): string {
  return `(CASE WHEN jsonb_typeof(${c}) = 'array' THEN jsonb_array_length(${c}) END)`;
}

/** A fraction or a value beyond bigint does not convert (a cast would round or raise). */
const DECIMAL_TO_INTEGER: Conversion = {
  value: (c) => `${c}::bigint`,
  converts: (c) => `(${c} = trunc(${c}) AND ${c} BETWEEN ${BIGINT_MIN} AND ${BIGINT_MAX})`,
};

function toDecimal(from: Target, precision: number): Conversion | undefined {
  switch (from.type) {
    case 'integer':
    case 'autoNumber':
      // A bigint has at most 19 digits; only a column with fewer before the point can overflow.
      return integerDigitsOf(precision) >= 19
        ? { value: (c) => `${c}::numeric` }
        : { value: (c) => `${c}::numeric`, converts: (c) => numericFits(`${c}::numeric`, precision) };
    case 'decimal': {
      // More digits after the point leave fewer before it.
      const widens = precision <= (from.options.precision ?? DEFAULT_PRECISION);
      const value = (c: string) => `round(${c}, ${precision})`;
      return widens ? { value } : { value, converts: (c) => numericFits(c, precision) };
    }
    default:
      return fromText(from.type, {
        converts: (t) => textIsDecimal(t, precision),
        value: (t) => `round(${t}::numeric, ${precision})`,
      });
  }
}

/** The only element; an empty array becomes NULL, and more than one element does not convert. */
function multiToSingle(choices: string[]): Conversion {
  const length = jsonArrayLength;
  return {
    value: (c) => `(${c} ->> 0)`,
    converts: (c) =>
      `CASE ${length(c)} WHEN 0 THEN true WHEN 1 THEN coalesce(${sqlInList(`(${c} ->> 0)`, choices)}, false) ` +
      `ELSE false END`,
  };
}

/** Every element a choice: removing the choice names (`jsonb - text[]`) leaves an empty array. */
function multiToMulti(choices: string[]): Conversion {
  return {
    value: (c) => c,
    converts: (c) =>
      `CASE WHEN jsonb_typeof(${c}) = 'array' THEN (${c} - ${sqlTextArray(choices)}) = '[]'::jsonb ELSE false END`,
  };
}
