import { newId } from '../../platform/ids.js';
import { ValidationError, type FieldProblem } from '../../platform/errors.js';
import type { PhysicalColumn } from '../../store/user-tables/ddl.js';
import type { Column, ColumnType } from './column.js';
import {
  encodeCell,
  isStoredType,
  normalizeColumnOptions,
  normalizeColumnRules,
  sqlTypeOf,
} from './column-types.js';

/** A column as the API receives it (DESIGN §4 "ColumnSpec"). */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  options?: unknown;
  required?: boolean;
  unique?: boolean;
  default?: unknown;
  rules?: unknown;
}

/** Types whose values a unique index can keep distinct. */
const UNIQUE_ABLE: ReadonlySet<ColumnType> = new Set<ColumnType>([
  'text',
  'integer',
  'decimal',
  'date',
  'dateTime',
  'singleSelect',
  'user',
  'autoNumber',
]);

export const MAX_COLUMN_NAME = 255;

/** Checks a column name: trimmed, not empty, not an `@` system name. Returns the trimmed name. */
export function checkColumnName(name: string, path: string, problems: FieldProblem[]): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) problems.push({ path, message: 'must not be empty' });
  else if (trimmed.length > MAX_COLUMN_NAME)
    problems.push({ path, message: `must be at most ${MAX_COLUMN_NAME} characters` });
  else if (trimmed.startsWith('@')) problems.push({ path, message: 'names starting with @ are reserved' });
  return trimmed;
}

/**
 * A spec as a column of `tableId` at `position`: options and rules normalised for the type,
 * the default checked as a cell value would be. Throws 422 naming `path.<member>` problems.
 */
export function columnFromSpec(spec: ColumnSpec, tableId: string, position: number, path: string): Column {
  const problems: FieldProblem[] = [];
  const name = checkColumnName(spec.name, `${path}.name`, problems);
  const options = collect(
    problems,
    () => normalizeColumnOptions(spec.type, spec.options, `${path}.options`),
    {},
  );
  const rules = collect(problems, () => normalizeColumnRules(spec.type, spec.rules, `${path}.rules`), {});
  if (spec.unique && !UNIQUE_ABLE.has(spec.type))
    problems.push({ path: `${path}.unique`, message: `${spec.type} columns cannot be unique` });
  const column: Column = {
    id: newId(),
    tableId,
    name,
    type: spec.type,
    options,
    required: spec.required ?? false,
    unique: spec.unique ?? false,
    default: null,
    rules,
    position,
  };
  // A default would name files of no table yet: cells take only uploads to their own table.
  if (spec.type === 'attachment' && spec.default !== undefined && spec.default !== null)
    problems.push({ path: `${path}.default`, message: 'attachment columns take no default' });
  if (spec.default !== undefined && spec.default !== null && problems.length === 0) {
    const check = encodeCell({ ...column, required: false }, spec.default);
    if (check.ok) column.default = spec.default;
    else problems.push({ path: `${path}.default`, message: check.problem.detail });
  }
  if (problems.length > 0) throw new ValidationError('invalid column', problems);
  return column;
}

/** The physical column a stored type needs, or undefined for computed and system-backed types. */
export function physicalColumnOf(column: Column): PhysicalColumn | undefined {
  if (!isStoredType(column.type)) return undefined;
  const sqlType = sqlTypeOf(column);
  return sqlType === undefined
    ? undefined
    : { id: column.id, sqlType, identity: column.type === 'autoNumber' };
}

/** Runs a normaliser that throws ValidationError, gathering its problems instead. */
function collect<T>(problems: FieldProblem[], run: () => T, fallback: T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.errors);
    return fallback;
  }
}
