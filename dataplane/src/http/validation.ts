import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from '@sinclair/typebox';
import { ValidationError, type FieldProblem } from '../platform/errors.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Bodies are validated strictly; query strings and path params arrive as text and are coerced. */
const strict = addFormats(new Ajv({ allErrors: true, strict: false }));
const coercing = addFormats(
  new Ajv({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true }),
);

export type Validator = (value: unknown) => void;

/** Compiles once; the returned function throws ValidationError naming every failing path. */
export function compileValidator(schema: TSchema, where: 'body' | 'query' | 'params'): Validator {
  const validate: ValidateFunction = (where === 'body' ? strict : coercing).compile(schema);
  return (value) => {
    const valid = validate(value);
    const problems = [...(valid ? [] : (validate.errors ?? []).map(toProblem)), ...textProblems(value)];
    if (problems.length === 0) return;
    const summary = problems.map((p) => `${where}${p.path.replaceAll('/', '.')}: ${p.message}`).join('; ');
    throw new ValidationError(summary || `${where} is invalid`, problems);
  };
}

function toProblem(error: ErrorObject): FieldProblem {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required')
    return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
  if (error.keyword === 'additionalProperties') {
    return {
      path: `${error.instancePath}/${String(params.additionalProperty)}`,
      message: 'is not an accepted field',
    };
  }
  return { path: error.instancePath || '/', message: error.message ?? 'is invalid' };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 64;
const MAX_PROBLEMS = 20;

function badText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (no lone surrogates)';
  return undefined;
}

/**
 * Input nothing downstream can keep: PostgreSQL text and jsonb refuse NUL (\u0000), lone UTF-16
 * surrogates cannot be encoded as UTF-8, bcrypt would stop reading a password at a NUL, and
 * absurdly deep nesting overflows recursive code later on. Checked in every string and object key
 * of the input, so no route has to remember it. Iterative: the input may be nested deeply.
 */
function textProblems(root: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (typeof root === 'string') {
    const message = badText(root);
    return message ? [{ path: '/', message }] : [];
  }
  // Containers wait on the stack with their path; strings and keys are checked where they are
  // met, and their path is spelled out only for a problem (a bulk body holds 100 000 strings).
  const stack: [value: unknown, path: string, depth: number][] = [[root, '', 0]];
  for (let next = stack.pop(); next && problems.length < MAX_PROBLEMS; next = stack.pop()) {
    const [value, path, depth] = next;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) {
      problems.push({ path: path || '/', message: `is nested more than ${MAX_DEPTH} levels deep` });
      continue;
    }
    const isArray = Array.isArray(value);
    const keys = isArray ? undefined : Object.keys(value);
    const count = isArray ? value.length : (keys as string[]).length;
    const at = (key: string) => `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    for (let i = 0; i < count; i++) {
      const key = keys ? (keys[i] as string) : String(i);
      const item: unknown = isArray ? value[i] : (value as Record<string, unknown>)[key];
      const keyMessage = keys ? badText(key) : undefined;
      if (keyMessage) problems.push({ path: at(key), message: `name ${keyMessage}` });
      if (typeof item === 'string') {
        const message = badText(item);
        if (message) problems.push({ path: at(key), message });
      }
    }
    for (let i = count - 1; i >= 0; i--) {
      const key = keys ? (keys[i] as string) : String(i);
      const item: unknown = isArray ? value[i] : (value as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) stack.push([item, at(key), depth + 1]);
    }
  }
  return problems.slice(0, MAX_PROBLEMS);
}
