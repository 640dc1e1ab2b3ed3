import { ValidationError } from '../../platform/errors.js';
import type { Span } from './ast.js';

/**
 * A formula that cannot be parsed, type-checked or compiled. A 422 `validation_failed` whose
 * `span` points at the offending text (offsets into the formula, `end` exclusive).
 */
export class FormulaError extends ValidationError {
  readonly span: Span;

  constructor(message: string, span: Span, path = 'formula') {
    super(message, [{ path, message }]);
    this.span = span;
    this.extensions.span = span;
  }
}

/** `'abc'` for messages; long text shortened so an error never echoes a whole formula. */
export function quote(text: string): string {
  return `'${shorten(text)}'`;
}

export function shorten(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
