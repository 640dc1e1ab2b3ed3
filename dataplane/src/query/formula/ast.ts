/**
 * The formula syntax tree. Nodes are frozen `{ kind, ..., span }` objects; `span` holds offsets
 * into the source text (`end` exclusive). Function names are upper-cased by the parser.
 */
export interface Span {
  start: number;
  end: number;
}

export const BINARY_OPS = ['=', '!=', '<', '<=', '>', '>=', '&', '+', '-', '*', '/'] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export type FormulaAst =
  | { readonly kind: 'number'; readonly value: number; readonly span: Span }
  | { readonly kind: 'string'; readonly value: string; readonly span: Span }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'field'; readonly name: string; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '-'; readonly operand: FormulaAst; readonly span: Span }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOp;
      readonly left: FormulaAst;
      readonly right: FormulaAst;
      readonly span: Span;
    }
  | {
      readonly kind: 'call';
      readonly name: string;
      readonly args: readonly FormulaAst[];
      readonly span: Span;
    };

export type NodeOf<K extends FormulaAst['kind']> = Extract<FormulaAst, { kind: K }>;

/** Limits that keep every recursive walk (parse, check, compile, evaluate) shallow. */
export const MAX_FORMULA_LENGTH = 10_000;
/** Parentheses, calls and unary minus nested inside each other. */
export const MAX_NESTING = 100;
/** Height of the tree, which long operator chains (a + b + c ...) also grow. */
export const MAX_HEIGHT = 250;

export function node<N extends FormulaAst>(n: N): N {
  Object.freeze(n.span);
  return Object.freeze(n);
}

/** The direct children of a node, in source order. */
export function childrenOf(n: FormulaAst): readonly FormulaAst[] {
  switch (n.kind) {
    case 'unary':
      return [n.operand];
    case 'binary':
      return [n.left, n.right];
    case 'call':
      return n.args;
    case 'number':
    case 'string':
    case 'boolean':
    case 'field':
      return [];
    default:
      return assertNever(n);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
