import type { FieldProblem } from '../../../platform/errors.js';
import type { ColumnOptions, ColumnType, SelectChoice } from '../column.js';
import { isLabel, isPlainObject, isUuid, quoted } from './input.js';
import { validationErrorOf } from './problems.js';
import {
  DEFAULT_PRECISION,
  MAX_CHOICE_NAME_LENGTH,
  MAX_CHOICES,
  MAX_FORMULA_LENGTH,
  MAX_PRECISION,
} from './limits.js';

/** Choice colours, in the order they are handed out to choices that name none. */
export const CHOICE_COLORS = [
  'blue',
  'cyan',
  'teal',
  'green',
  'yellow',
  'orange',
  'red',
  'pink',
  'purple',
  'gray',
] as const;

export const ROLLUP_AGGREGATES = ['sum', 'avg', 'count', 'min', 'max'] as const;

/** The longest `field` a lookup or rollup may name (a column name or id of the linked table). */
const MAX_FIELD_LENGTH = 1000;

type Problems = FieldProblem[];

/** Reads one member of the options object; reports a problem and answers undefined when it is bad. */
type MemberReader = (value: unknown, path: string, problems: Problems) => unknown;

const MEMBERS: Partial<Record<ColumnType, Record<string, MemberReader>>> = {
  singleSelect: { choices: readChoices },
  multiSelect: { choices: readChoices },
  decimal: { precision: readPrecision },
  formula: { formula: readFormula },
  link: { tableId: readUuid },
  lookup: { link: readUuid, field: readField },
  rollup: { link: readUuid, field: readField, aggregate: readAggregate },
};

/** Members every options object of the type must carry (precision has a default). */
const REQUIRED: Partial<Record<ColumnType, string[]>> = {
  singleSelect: ['choices'],
  multiSelect: ['choices'],
  formula: ['formula'],
  link: ['tableId'],
  lookup: ['link', 'field'],
  rollup: ['link', 'field', 'aggregate'],
};

/**
 * A ColumnSpec's `options` checked for its type and normalised: only the members the type uses,
 * choices as `{name, color}` with trimmed names, decimal precision defaulted, uuids lower-cased.
 * Absent (undefined or null) options read as `{}`. Throws a ValidationError naming every problem.
 */
export function normalizeColumnOptions(type: ColumnType, options: unknown, path = 'options'): ColumnOptions {
  const given = options ?? {};
  if (!isPlainObject(given)) throw validationErrorOf([{ path, message: 'must be an object' }]);
  const readers = MEMBERS[type] ?? {};
  const problems: Problems = [];
  const normalized: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const reader = Object.hasOwn(readers, key) ? readers[key] : undefined;
    if (!reader) {
      problems.push({ path: `${path}.${key}`, message: `is not an option of ${type} columns` });
      continue;
    }
    const read = reader(value, `${path}.${key}`, problems);
    if (read !== undefined) normalized[key] = read;
  }
  for (const key of REQUIRED[type] ?? []) {
    if (!Object.hasOwn(given, key)) problems.push({ path: `${path}.${key}`, message: 'is required' });
  }
  if (problems.length > 0) throw validationErrorOf(problems);
  if (type === 'decimal' && normalized.precision === undefined) normalized.precision = DEFAULT_PRECISION;
  return normalized as ColumnOptions;
}

function readChoices(value: unknown, path: string, problems: Problems): SelectChoice[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_CHOICES) {
    problems.push({ path, message: `must be an array of 1 to ${MAX_CHOICES} choices` });
    return undefined;
  }
  const before = problems.length;
  const seen = new Set<string>();
  const choices: SelectChoice[] = [];
  for (const [index, entry] of (value as unknown[]).entries()) {
    const choice = readChoice(entry, `${path}[${index}]`, index, problems);
    if (!choice) continue;
    if (seen.has(choice.name)) {
      problems.push({ path: `${path}[${index}]`, message: `duplicate choice ${quoted(choice.name)}` });
      continue;
    }
    seen.add(choice.name);
    choices.push(choice);
  }
  return problems.length === before ? choices : undefined;
}

/** A choice is a name, or `{name, color?}`; without a colour it takes the palette's next one. */
function readChoice(
  entry: unknown,
  path: string,
  index: number,
  problems: Problems,
): SelectChoice | undefined {
  const fallback = CHOICE_COLORS[index % CHOICE_COLORS.length] as string;
  if (typeof entry === 'string') {
    const name = readChoiceName(entry, path, problems);
    return name === undefined ? undefined : { name, color: fallback };
  }
  if (!isPlainObject(entry)) {
    problems.push({ path, message: 'must be a name or an object {name, color}' });
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(entry)) {
    if (key !== 'name' && key !== 'color')
      problems.push({ path: `${path}.${key}`, message: 'is not allowed' });
  }
  const name = readChoiceName(entry.name, `${path}.name`, problems);
  const color = entry.color ?? fallback;
  if (typeof color !== 'string' || !(CHOICE_COLORS as readonly string[]).includes(color)) {
    problems.push({ path: `${path}.color`, message: `must be one of ${CHOICE_COLORS.join(', ')}` });
  }
  return problems.length === before && name !== undefined ? { name, color: color as string } : undefined;
}

function readChoiceName(value: unknown, path: string, problems: Problems): string | undefined {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name === '' || name.length > MAX_CHOICE_NAME_LENGTH || !isLabel(name)) {
    problems.push({
      path,
      message: `must be a non-empty name of at most ${MAX_CHOICE_NAME_LENGTH} characters, without control characters`,
    });
    return undefined;
  }
  return name;
}

function readPrecision(value: unknown, path: string, problems: Problems): number | undefined {
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_PRECISION) {
    return value as number;
  }
  problems.push({ path, message: `must be an integer from 0 to ${MAX_PRECISION}` });
  return undefined;
}

/** Kept as written (error spans point into it); its type check happens where formulas are compiled. */
function readFormula(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= MAX_FORMULA_LENGTH) {
    if (isLabel(value.replace(/[\t\n\r]/g, ' '))) return value;
  }
  problems.push({ path, message: `must be a non-empty formula of at most ${MAX_FORMULA_LENGTH} characters` });
  return undefined;
}

function readUuid(value: unknown, path: string, problems: Problems): string | undefined {
  if (isUuid(value)) return value.toLowerCase();
  problems.push({ path, message: 'must be a UUID' });
  return undefined;
}

function readField(value: unknown, path: string, problems: Problems): string | undefined {
  if (
    typeof value === 'string' &&
    value.trim() !== '' &&
    value.length <= MAX_FIELD_LENGTH &&
    isLabel(value)
  ) {
    return value;
  }
  problems.push({
    path,
    message: `must be a non-empty field name of at most ${MAX_FIELD_LENGTH} characters`,
  });
  return undefined;
}

function readAggregate(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'string' && (ROLLUP_AGGREGATES as readonly string[]).includes(value)) return value;
  problems.push({ path, message: `must be one of ${ROLLUP_AGGREGATES.join(', ')}` });
  return undefined;
}
