import type { CellCheck, Column } from '../column.js';

/** Checks one non-null API value for a column and returns what to bind, or why it was refused. */
export type Encoder = (value: NonNullable<unknown>, column: Column) => CellCheck;

export function accept(value: unknown): CellCheck {
  return { ok: true, value };
}

export function refuse(code: string, detail: string): CellCheck {
  return { ok: false, problem: { code, detail } };
}

/** The usual refusal: the value is not of the column's type. */
export function invalidValue(detail: string): CellCheck {
  return refuse('invalid_value', detail);
}
