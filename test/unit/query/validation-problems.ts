import { expect } from 'chai';
import { ValidationError, type FieldProblem } from '../../../dataplane/src/platform/errors.js';
import { validateQuery } from '../../../dataplane/src/query/validate.js';
import { UNIT_CATALOG } from './sql/unit-catalog.js';

export const page = { mode: 'offset', limit: 10, offset: 0 };
export const base = { source: { table: 'orders' }, pagination: page };

/** The problems validateQuery reports for `query` (which must be invalid: a 422 ValidationError). */
export function problems(query: unknown): FieldProblem[] {
  try {
    validateQuery(query, UNIT_CATALOG);
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).status).to.equal(422);
    return (error as ValidationError).errors;
  }
  throw new Error('expected a ValidationError');
}

export const filtered = (filter: unknown): FieldProblem[] => problems({ ...base, filter });
