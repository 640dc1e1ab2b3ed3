import { expect } from 'chai';
import { checkFormula, parseFormula } from '../../../../dataplane/src/query/formula/index.js';
import { fieldType, formulaError, spanned } from './helpers.js';

const typeOf = (text: string) => checkFormula(parseFormula(text), fieldType);

describe('checkFormula', () => {
  describe('result types', () => {
    const cases: [string, string][] = [
      ['1 + 2', 'number'],
      ['{qty} / 2', 'number'],
      ['"a" & 1', 'text'],
      ['{id} & ""', 'text'],
      ['{due}', 'date'],
      ['{at}', 'datetime'],
      ['{done}', 'boolean'],
      ['BLANK()', 'null'],
      ['{amount} > 1', 'boolean'],
      ['IF({done}, 1)', 'number'],
      ['IF({done}, 1, BLANK())', 'number'],
      ['IF({done}, 1, "x")', 'text'],
      ['IF({done}, {due}, {at})', 'datetime'],
      ['IF({done}, {due}, "2024-01-01")', 'date'],
      ['IF({done}, BLANK(), BLANK())', 'null'],
      ['SWITCH({name}, "a", 1, 2)', 'number'],
      ['SWITCH({due}, "2024-01-01", "new year", BLANK(), "none")', 'text'],
      ['DATEADD({due}, 1, "day")', 'date'],
      ['DATEADD({due}, 1, "Months")', 'date'],
      ['DATEADD({due}, 1, "hour")', 'datetime'],
      ['DATEADD({at}, 1, "day")', 'datetime'],
      ['DATEADD("2024-01-31", 1, "month")', 'date'],
      ['DATETIME_DIFF({at}, {due}, "weeks")', 'number'],
      ['DATETIME_FORMAT({due})', 'text'],
      ['MIN({due}, "2024-01-01")', 'date'],
      ['MAX({due}, {at})', 'datetime'],
      ['MIN(1, {amount}, BLANK())', 'number'],
      ['COUNTA({name}, {due}, {done})', 'number'],
      ['{due} < "2024-01-01 10:00"', 'boolean'],
      ['LEN({due}) + LEN({done}) + LEN(12)', 'number'],
      ['TODAY()', 'date'],
      ['NOW()', 'datetime'],
      ['{Full name}', 'text'],
    ];
    for (const [text, type] of cases) {
      it(`${text} : ${type}`, () => expect(typeOf(text)).to.equal(type));
    }
  });

  describe('errors point at the offending text', () => {
    const cases: [text: string, message: string, covers: string][] = [
      ['1 + {nope}', 'unknown field {nope} at 4', '{nope}'],
      ['{meta} & ""', 'field {meta} has type json, which formulas cannot use at 0', '{meta}'],
      ['LEN({blob})', 'field {blob} has type binary, which formulas cannot use at 4', '{blob}'],
      ['2 * FOO(1)', 'unknown function FOO at 4', 'FOO'],
      ['IF(TRUE)', 'IF expects 2 to 3 arguments, got 1 at 0', 'IF(TRUE)'],
      ['ABS()', 'ABS expects 1 argument, got 0 at 0', 'ABS()'],
      ['NOW(1)', 'NOW expects 0 arguments, got 1 at 0', 'NOW(1)'],
      ['AND()', 'AND expects at least 1 argument, got 0 at 0', 'AND()'],
      ['{name} + 1', 'expected number, got text at 0', '{name}'],
      ['1 + "2"', 'expected number, got text at 4', '"2"'],
      ['-"2"', 'expected number, got text at 1', '"2"'],
      ['{amount} = "5"', 'cannot compare number with text at 0', '{amount} = "5"'],
      ['{due} < "soon"', 'cannot compare date with text at 0', '{due} < "soon"'],
      ['{done} = 1', 'cannot compare boolean with number at 0', '{done} = 1'],
      [
        'DATEADD({due}, 1, "fortnight")',
        "the unit must be a text literal, one of 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years' at 18",
        '"fortnight"',
      ],
      [
        'DATEADD({due}, 1, {name})',
        "the unit must be a text literal, one of 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months', 'years' at 18",
        '{name}',
      ],
      ['DATEADD({due}, "1", "day")', 'expected number, got text at 15', '"1"'],
      ['DATETIME_FORMAT({at}, {name})', 'the format must be a text literal at 22', '{name}'],
      [
        'YEAR("2024-02-30")',
        'expected a datetime; "2024-02-30" is not one (write YYYY-MM-DD or YYYY-MM-DD HH:mm:ss) at 5',
        '"2024-02-30"',
      ],
      ['YEAR({amount})', 'expected datetime, got number at 5', '{amount}'],
      ['IF({amount}, 1, 2)', 'expected boolean, got number at 3', '{amount}'],
      ['NOT("x")', 'expected boolean, got text at 4', '"x"'],
      ['AND(TRUE, {name})', 'expected boolean, got text at 10', '{name}'],
      ['MIN({name}, 1)', 'MIN takes numbers or dates, got text at 4', '{name}'],
      ['SWITCH({amount}, "a", 1)', 'cannot compare number with text at 17', '"a"'],
      ['SUM({amount}, {name})', 'expected number, got text at 14', '{name}'],
      ['IF({done}, LEN(1 + "x"), 0)', 'expected number, got text at 19', '"x"'],
    ];
    for (const [text, message, covers] of cases) {
      it(`${text} → ${message}`, () => {
        const error = formulaError(() => typeOf(text));
        expect(error.message).to.equal(message);
        expect(spanned(text, error)).to.equal(covers);
        expect(error.errors).to.deep.equal([{ path: 'formula', message }]);
      });
    }
  });

  it('asks the field resolver for the decoded name', () => {
    const asked: string[] = [];
    checkFormula(parseFormula('{a\\}b} & {Prix (€)}'), (name) => {
      asked.push(name);
      return 'text';
    });
    expect(asked).to.deep.equal(['a}b', 'Prix (€)']);
  });
});
