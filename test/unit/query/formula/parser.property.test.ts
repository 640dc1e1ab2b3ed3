import { expect } from 'chai';
import fc from 'fast-check';
import {
  checkFormula,
  compileFormulaToMongo,
  compileFormulaToSql,
  evaluateFormula,
  FormulaError,
  parseFormula,
  printFormula,
  type BinaryOp,
  type FormulaAst,
} from '../../../../dataplane/src/query/formula/index.js';
import { fieldType } from './helpers.js';

/** Runs `fn`; anything thrown must be a FormulaError whose span lies inside `text`. */
function onlyPositionedErrors(text: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof FormulaError)) throw error;
    const { start, end } = error.span;
    expect(Number.isInteger(start) && Number.isInteger(end), 'integer span').to.equal(true);
    expect(
      0 <= start && start <= end && end <= text.length,
      `span ${start}..${end} of ${text.length}`,
    ).to.equal(true);
    expect(error.message).to.be.a('string').and.not.equal('');
  }
}

const TOKENS = [
  ...[
    '(',
    ')',
    ',',
    '+',
    '-',
    '*',
    '/',
    '&',
    '=',
    '!=',
    '<>',
    '<',
    '<=',
    '>',
    '>=',
    '!',
    '{',
    '}',
    '"',
    "'",
    '\\',
  ],
  ...[
    'IF',
    'SUM',
    'DATEADD',
    'DATETIME_FORMAT',
    'SWITCH',
    'LEFT',
    'TRUE',
    'FALSE',
    'BLANK',
    'NOW',
    'foo',
    'ROUND',
  ],
  ...['{amount}', '{name}', '{due}', '{at}', '{done}', '{meta}', '{nope}', '{a\\}b}'],
  ...['1', '0', '2.5', '.5', '1e3', '1e999', '"x"', "'y'", '"2024-01-31"', '"days"', '"YYYY"', '"a\\"b"'],
  ...[' ', '\n', '\t', '#', '😀', '\u0000'],
];

describe('formula parser properties', () => {
  it('random strings are parsed or refused with a FormulaError spanning part of the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (text) => {
        onlyPositionedErrors(text, () => checkFormula(parseFormula(text), fieldType));
      }),
      { numRuns: 1000 },
    );
  });

  it('random token soups are parsed, checked and compiled, or refused with a positioned FormulaError', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));
    fc.assert(
      fc.property(soup, (text) => {
        onlyPositionedErrors(text, () => {
          const ast = parseFormula(text);
          checkFormula(ast, fieldType);
          compileAll(ast);
        });
      }),
      { numRuns: 3000 },
    );
  });

  it('well-formed trees print and re-parse to the same tree', () => {
    fc.assert(
      fc.property(formulaArbitrary(), (ast) => {
        const text = printFormula(ast);
        expect(strip(parseFormula(text)), text).to.deep.equal(strip(ast));
      }),
      { numRuns: 1000 },
    );
  });

  it('well-formed trees that type-check compile to SQL and MongoDB and evaluate', () => {
    fc.assert(
      fc.property(formulaArbitrary(true), (ast) => {
        const text = printFormula(ast);
        onlyPositionedErrors(text, () => {
          const parsed = parseFormula(text);
          checkFormula(parsed, fieldType);
          compileAll(parsed);
        });
      }),
      { numRuns: 1000 },
    );
  });
});

const ROW: Record<string, unknown> = {
  amount: 2.5,
  qty: 3,
  name: 'Hello',
  due: new Date('2024-01-31T00:00:00Z'),
};

function compileAll(ast: FormulaAst): void {
  for (const dialect of ['postgres', 'mysql'] as const) {
    const { sql, bindings } = compileFormulaToSql(ast, dialect, (f) => `t0.${f}`);
    expect(sql.match(/\?\??/g)?.length ?? 0).to.equal(bindings.length);
  }
  const mongo = compileFormulaToMongo(ast, (f) => `$${f}`);
  expect(mongo === null || typeof mongo === 'object').to.equal(true);
  evaluateFormula(ast, (f) => ROW[f] ?? null, new Date('2024-05-10T12:00:00Z'));
}

/** A tree without spans, for structural comparison. */
function strip(ast: FormulaAst): unknown {
  switch (ast.kind) {
    case 'unary':
      return { kind: ast.kind, op: ast.op, operand: strip(ast.operand) };
    case 'binary':
      return { kind: ast.kind, op: ast.op, left: strip(ast.left), right: strip(ast.right) };
    case 'call':
      return { kind: ast.kind, name: ast.name, args: ast.args.map(strip) };
    default: {
      const { span: _span, ...rest } = ast;
      return rest;
    }
  }
}

const SPAN = { start: 0, end: 0 };
const OPS: BinaryOp[] = ['=', '!=', '<', '<=', '>', '>=', '&', '+', '-', '*', '/'];
const KNOWN = ['IF', 'AND', 'OR', 'NOT', 'SWITCH', 'CONCAT', 'LEFT', 'RIGHT', 'LEN', 'LOWER', 'TRIM', 'FIND'];
const KNOWN_MORE = [
  'ROUND',
  'ABS',
  'MOD',
  'POWER',
  'SQRT',
  'YEAR',
  'DATEADD',
  'DATETIME_DIFF',
  'SUM',
  'MIN',
  'COUNTA',
];

/**
 * Random well-formed trees. With `typed`, leaves favour the helpers' fields and literals that
 * make calls type-check (units, dates), so the compile path is exercised too.
 */
function formulaArbitrary(typed = false): fc.Arbitrary<FormulaAst> {
  const number = fc
    .double({ min: 0, max: 1e300, noNaN: true })
    .filter((n) => !Object.is(n, -0))
    .map((value): FormulaAst => ({ kind: 'number', value, span: SPAN }));
  const text = (
    typed
      ? fc.constantFrom('days', 'months', 'x', '2024-01-31', 'YYYY-MM', '')
      : fc.string({ unit: 'binary', maxLength: 12 })
  ).map((value): FormulaAst => ({ kind: 'string', value, span: SPAN }));
  const field = (
    typed
      ? fc.constantFrom('amount', 'qty', 'name', 'due', 'at', 'done')
      : fc.string({ unit: 'binary', minLength: 1, maxLength: 12 })
  ).map((name): FormulaAst => ({ kind: 'field', name, span: SPAN }));
  const bool = fc.boolean().map((value): FormulaAst => ({ kind: 'boolean', value, span: SPAN }));
  const name = typed
    ? fc.constantFrom(...KNOWN, ...KNOWN_MORE, 'BLANK', 'NOW', 'TODAY')
    : fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/).filter((n) => n !== 'TRUE' && n !== 'FALSE');
  const { tree } = fc.letrec<{ tree: FormulaAst }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      number,
      text,
      field,
      bool,
      tie('tree').map((operand): FormulaAst => ({ kind: 'unary', op: '-', operand, span: SPAN })),
      fc
        .tuple(fc.constantFrom(...OPS), tie('tree'), tie('tree'))
        .map(([op, left, right]): FormulaAst => ({ kind: 'binary', op, left, right, span: SPAN })),
      fc
        .tuple(name, fc.array(tie('tree'), { maxLength: 4 }))
        .map(([n, args]): FormulaAst => ({ kind: 'call', name: n, args, span: SPAN })),
    ),
  }));
  return tree;
}
