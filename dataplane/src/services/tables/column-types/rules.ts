import type { FieldProblem } from '../../../platform/errors.js';
import type { ColumnRules, ColumnType } from '../column.js';
import { isPlainObject, isStorableText } from './input.js';
import { MAX_PATTERN_LENGTH, MAX_RULE_LENGTH } from './limits.js';
import { validationErrorOf } from './problems.js';

type RuleName = keyof ColumnRules;

const NUMERIC_RULES: RuleName[] = ['minValue', 'maxValue'];
const TEXT_RULES: RuleName[] = ['maxLength', 'pattern'];

/** Which rules each type accepts; a rule the type does not list is refused. */
const RULES_BY_TYPE: Partial<Record<ColumnType, RuleName[]>> = {
  integer: NUMERIC_RULES,
  decimal: NUMERIC_RULES,
  text: TEXT_RULES,
  longText: TEXT_RULES,
};

const ALL_RULES: RuleName[] = [...NUMERIC_RULES, ...TEXT_RULES];

/**
 * A ColumnSpec's validation `rules` checked for its type: minValue/maxValue (finite, min ≤ max)
 * for integer and decimal, maxLength and pattern for text and longText. The pattern is kept as
 * text: the database compiles and checks it (a JS RegExp would disagree with POSIX regexes).
 * Absent rules read as `{}`. Throws a ValidationError naming every problem.
 */
export function normalizeColumnRules(type: ColumnType, rules: unknown, path = 'rules'): ColumnRules {
  const given = rules ?? {};
  if (!isPlainObject(given)) throw validationErrorOf([{ path, message: 'must be an object' }]);
  const allowed = RULES_BY_TYPE[type] ?? [];
  const problems: FieldProblem[] = [];
  const normalized: ColumnRules = {};
  for (const [key, value] of Object.entries(given)) {
    const at = `${path}.${key}`;
    if (!(ALL_RULES as string[]).includes(key)) {
      problems.push({ path: at, message: 'is not a rule' });
    } else if (!(allowed as string[]).includes(key)) {
      problems.push({ path: at, message: `does not apply to ${type} columns` });
    } else if (key === 'minValue' || key === 'maxValue') {
      if (typeof value === 'number' && Number.isFinite(value)) normalized[key] = value;
      else problems.push({ path: at, message: 'must be a finite number' });
    } else if (key === 'maxLength') {
      if (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_RULE_LENGTH) {
        normalized.maxLength = value as number;
      } else problems.push({ path: at, message: `must be an integer from 1 to ${MAX_RULE_LENGTH}` });
    } else if (
      typeof value === 'string' &&
      value !== '' &&
      value.length <= MAX_PATTERN_LENGTH &&
      isStorableText(value)
    ) {
      normalized.pattern = value;
    } else {
      problems.push({
        path: at,
        message: `must be a non-empty pattern of at most ${MAX_PATTERN_LENGTH} characters`,
      });
    }
  }
  const { minValue, maxValue } = normalized;
  if (minValue !== undefined && maxValue !== undefined && minValue > maxValue) {
    problems.push({ path: `${path}.maxValue`, message: 'must not be less than minValue' });
  }
  if (problems.length > 0) throw validationErrorOf(problems);
  return normalized;
}
