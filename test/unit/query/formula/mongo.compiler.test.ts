import { expect } from 'chai';
import { compileFormulaToMongo, parseFormula } from '../../../../dataplane/src/query/formula/index.js';
import { checked } from './helpers.js';

const ref = (field: string) => `$${field}`;
const compile = (text: string) => compileFormulaToMongo(checked(text), ref);
const field = (name: string) => ({ $ifNull: [`$${name}`, null] });

/** Every string in an expression that is not inside $literal: paths and variables only. */
function bareStrings(expr: unknown, out: string[] = []): string[] {
  if (typeof expr === 'string') out.push(expr);
  else if (Array.isArray(expr)) expr.forEach((e) => bareStrings(e, out));
  else if (expr !== null && typeof expr === 'object' && !(expr instanceof Date)) {
    for (const [key, value] of Object.entries(expr)) if (key !== '$literal') bareStrings(value, out);
  }
  return out;
}

describe('compileFormulaToMongo', () => {
  it('reads fields through $ifNull so a missing field is blank, not missing', () => {
    expect(compile('{amount} + 1')).to.deep.equal({ $add: [field('amount'), 1] });
  });

  it('wraps text literals in $literal so "$x" is never a field path', () => {
    expect(compile('{name} & "$x"')).to.deep.equal({
      $concat: [
        { $ifNull: [field('name'), { $literal: '' }] },
        { $ifNull: [{ $literal: '$x' }, { $literal: '' }] },
      ],
    });
    expect(compile('{name} = "$where"')).to.deep.equal({ $eq: [field('name'), { $literal: '$where' }] });
  });

  it('returns an expression object for a bare literal', () => {
    expect(compile('1')).to.deep.equal({ $literal: 1 });
    expect(compile('BLANK()')).to.deep.equal({ $literal: null });
    expect(compile('NOW()')).to.deep.equal({ $toDate: '$$NOW' });
  });

  it('binds date literals as dates', () => {
    const expr = compile('{due} < "2024-02-01"') as { $let: { vars: Record<string, unknown> } };
    expect(expr.$let.vars).to.deep.equal({ v0: field('due'), v1: new Date('2024-02-01T00:00:00Z') });
  });

  it('guards division by zero and blank operands', () => {
    expect(compile('{amount} / {qty}')).to.deep.equal({
      $let: {
        vars: { v0: field('amount'), v1: field('qty') },
        in: {
          $cond: [
            { $or: [{ $eq: ['$$v0', null] }, { $eq: ['$$v1', null] }] },
            null,
            { $cond: [{ $eq: ['$$v1', 0] }, null, { $divide: ['$$v0', '$$v1'] }] },
          ],
        },
      },
    });
  });

  it('returns null when a function has no faithful MongoDB form, anywhere in the tree', () => {
    expect(compile('UPPER({name})')).to.equal(null);
    expect(compile('IF(LOWER({name}) = "a", 1, 2)')).to.equal(null);
  });

  it('keeps every string outside $literal a field path or a variable', () => {
    const formulas = [
      'DATETIME_FORMAT({at}, "$YYYY %d")',
      'FIND("$x", {name}, 2) + LEN(SUBSTITUTE({name}, "$a", "$b"))',
      'SWITCH({name}, "$1", "$2", "$3")',
      'DATEADD({due}, {qty}, "months") < DATEADD({at}, 1, "hour")',
      'DATETIME_DIFF({at}, {due}, "years") + ROUND({amount}, {qty})',
      'COUNTA({name}, "$x") & {done} & {due}',
    ];
    for (const formula of formulas) {
      for (const s of bareStrings(compile(formula))) {
        expect(s, formula).to.match(
          /^\$(amount|qty|name|due|at|done|\$NOW|\$[a-z]\d+)$|^(day|%[YmdHMSL]|%Y-%m-%d|%Y-%m-%dT%H:%M:%S\.%LZ)$/,
        );
      }
    }
  });

  it('refuses a tree that was not checked', () => {
    expect(() => compileFormulaToMongo(parseFormula('1'), ref)).to.throw(/checkFormula/);
  });
});
