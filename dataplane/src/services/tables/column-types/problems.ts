import { ValidationError, type FieldProblem } from '../../../platform/errors.js';

/** Several field problems as one 422: the detail names the first, `errors` lists them all. */
export function validationErrorOf(problems: FieldProblem[]): ValidationError {
  const [first] = problems;
  if (!first) return new ValidationError('invalid input', problems);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new ValidationError(`${first.path}: ${first.message}${more}`, problems);
}
