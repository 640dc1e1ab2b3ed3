import { ValidationError } from '../../platform/errors.js';

export interface RowProblem {
  index: number;
  field: string;
  code: string;
  detail: string;
}

/** Per-row problems: 422 with `errors: [{index, field, code, detail}]`; nothing was written. */
export function bulkError(problems: RowProblem[], single: boolean): ValidationError {
  return new ValidationError(
    single
      ? 'invalid row'
      : `${new Set(problems.map((p) => p.index)).size} row(s) refused; nothing was written`,
    problems.map((p) => ({
      path: single ? `fields.${p.field}` : `rows[${p.index}].${p.field}`,
      message: p.detail,
      index: p.index,
      code: p.code,
      detail: p.detail,
    })),
  );
}

export function fieldsError(problems: { field: string; code: string; detail: string }[]): ValidationError {
  return bulkError(
    problems.map((p) => ({ ...p, index: 0 })),
    true,
  );
}
