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
    if (validate(value)) return;
    const problems = (validate.errors ?? []).map(toProblem);
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
