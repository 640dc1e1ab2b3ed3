import type { LogicalType } from '../catalog.js';
import type { FormulaAst } from './ast.js';

/**
 * The value types of the formula language. `date` is a calendar day (UTC midnight), `datetime`
 * an instant; `null` is the type of BLANK(), which fits anywhere.
 */
export const FORMULA_TYPES = ['text', 'number', 'boolean', 'date', 'datetime', 'null'] as const;
export type FormulaType = (typeof FORMULA_TYPES)[number];
export type TemporalType = 'date' | 'datetime';

/** How a source column is seen inside formulas; undefined = formulas cannot use it. */
export function formulaTypeOf(logical: LogicalType): FormulaType | undefined {
  switch (logical) {
    case 'text':
    case 'uuid':
      return 'text';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'json':
    case 'binary':
    case 'unknown':
      return undefined;
  }
}

/** What the checker learned about one node; compilers and the evaluator read it. */
export interface NodeInfo {
  /** The node's own type (a string literal read as a date has type date or datetime). */
  readonly type: FormulaType;
  /** For operators and calls: the type each argument is converted to before the operation. */
  readonly params?: readonly FormulaType[];
  /** For field references: the column's logical type. */
  readonly logical?: LogicalType;
  /** For string literals read as a date or date-time: the instant. */
  readonly instant?: Date;
}

const infos = new WeakMap<FormulaAst, NodeInfo>();

export function recordInfo(node: FormulaAst, info: NodeInfo): void {
  infos.set(node, info);
}

/** The checked facts about a node; compiling or evaluating an unchecked tree is a programming error. */
export function infoOf(node: FormulaAst): NodeInfo {
  const info = infos.get(node);
  if (info === undefined)
    throw new Error('formula must be checked with checkFormula before it is compiled or evaluated');
  return info;
}

export function isTemporal(type: FormulaType): type is TemporalType {
  return type === 'date' || type === 'datetime';
}
