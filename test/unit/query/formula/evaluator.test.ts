import { expect } from 'chai';
import { evaluateFormula, parseFormula } from '../../../../dataplane/src/query/formula/index.js';
import { checked } from './helpers.js';

const NOW = new Date('2024-05-10T15:30:45.678Z');
const ROW: Record<string, unknown> = {
  amount: 7.5,
  qty: 2,
  name: 'Hello',
  'Full name': 'Ada Lovelace',
  due: new Date('2024-01-31T00:00:00Z'),
  at: new Date('2024-03-15T10:20:30.123Z'),
  done: true,
};

const run = (text: string, row: Record<string, unknown> = ROW) =>
  evaluateFormula(checked(text), (f) => row[f], NOW);

function table(cases: [string, unknown][], row?: Record<string, unknown>) {
  for (const [text, expected] of cases) {
    it(`${text} → ${JSON.stringify(expected)}`, () => {
      const value = run(text, row);
      if (expected instanceof Date) expect((value as Date).toISOString()).to.equal(expected.toISOString());
      else expect(value).to.deep.equal(expected);
    });
  }
}

describe('evaluateFormula', () => {
  describe('arithmetic, null propagation and division by zero', () => {
    table([
      ['1 + 2 * 3', 7],
      ['{amount} / {qty}', 3.75],
      ['{qty} / 4', 0.5],
      ['{amount} / 0', null],
      ['-{amount}', -7.5],
      ['{amount} + BLANK()', null],
      ['BLANK() * 0', null],
    ]);
    table(
      [
        ['{amount} + 1', null],
        ['{name} & "x"', 'x'],
      ],
      {},
    );
  });

  describe('text and coercion to text', () => {
    table([
      ['{name} & " " & {qty}', 'Hello 2'],
      ['"x" & BLANK() & "y"', 'xy'],
      ['CONCAT({name}, BLANK(), {done}, {amount})', 'Hellotrue7.5'],
      ['(0.1 + 0.2) & ""', '0.30000000000000004'],
      ['{due} & ""', '2024-01-31'],
      ['{at} & ""', '2024-03-15T10:20:30.123Z'],
      ['-0 & ""', '0'],
      ['LEN("日本😀")', 3],
      ['LEN(BLANK())', null],
      ['LEFT("日本😀語", 3)', '日本😀'],
      ['LEFT({name}, -1)', ''],
      ['LEFT({name}, 2.9)', 'He'],
      ['LEFT({name}, BLANK())', null],
      ['RIGHT("a😀b", 2)', '😀b'],
      ['RIGHT({name}, 99)', 'Hello'],
      ['UPPER("straße ǆ é")', 'STRAßE Ǆ É'],
      ['LOWER("ÀÉ ΣΑΣ")', 'àé σασ'],
      ['TRIM("  a b \\t ")', 'a b \t'],
      ['SUBSTITUTE("a-b-c", "-", "+")', 'a+b+c'],
      ['SUBSTITUTE("abc", "", "x")', 'abc'],
      ['SUBSTITUTE("aAa", "a", "")', 'A'],
      ['FIND("l", {name})', 3],
      ['FIND("L", {name})', 0],
      ['FIND("l", {name}, 4)', 4],
      ['FIND("l", {name}, -5)', 3],
      ['FIND("", {name}, 3)', 3],
      ['FIND("b", "😀ab")', 3],
      ['FIND("x", BLANK())', null],
    ]);
  });

  describe('comparisons', () => {
    table([
      ['{name} = "Hello"', true],
      ['{name} = "hello"', false],
      ['"a" < "B"', false],
      ['"B" < "a"', true],
      ['"abc " = "abc"', false],
      ['"\uFFFF" < "😀"', true],
      ['BLANK() = BLANK()', true],
      ['{amount} = BLANK()', false],
      ['{amount} != BLANK()', true],
      ['{amount} < BLANK()', null],
      ['{due} < "2024-02-01"', true],
      ['{due} = "2024-01-31"', true],
      ['{at} > {due}', true],
      ['{due} = "2024-01-31 00:00"', true],
      ['FALSE < TRUE', true],
    ]);
  });

  describe('logic: blank conditions count as false', () => {
    table([
      ['IF({done}, "y", "n")', 'y'],
      ['IF(BLANK(), "y", "n")', 'n'],
      ['IF(FALSE, "y")', null],
      ['IF({done}, {amount}, "none")', '7.5'],
      ['AND(TRUE, BLANK())', false],
      ['OR(FALSE, BLANK())', false],
      ['OR(BLANK(), TRUE)', true],
      ['NOT(BLANK())', true],
      ['SWITCH({qty}, 1, "one", 2, "two", "many")', 'two'],
      ['SWITCH({qty}, 1, "one")', null],
      ['SWITCH(BLANK(), 1, "one", BLANK(), "blank", "other")', 'blank'],
      ['SWITCH({name}, "hello", 1, "Hello", 2)', 2],
    ]);
  });

  describe('numbers', () => {
    table([
      ['ROUND(2.5)', 3],
      ['ROUND(-2.5)', -3],
      ['ROUND(1.25, 1)', 1.3],
      ['ROUND(-1.25, 1)', -1.3],
      ['ROUND(1.005, 2)', 1],
      ['ROUND(1234.5, -2)', 1200],
      ['ROUND(1250, -2)', 1300],
      ['ROUND(2.567, 1.9)', 2.6],
      ['ROUND(BLANK(), 2)', null],
      ['ABS(-3)', 3],
      ['CEILING(1.2) & "|" & CEILING(-1.2)', '2|-1'],
      ['FLOOR(1.8) & "|" & FLOOR(-1.2)', '1|-2'],
      ['MOD(7, 3) & "|" & MOD(-7, 3) & "|" & MOD(7, -3)', '1|-1|1'],
      ['MOD(5.5, 2)', 1.5],
      ['MOD(1, 0)', null],
      ['POWER(2, 10)', 1024],
      ['POWER(-8, 1 / 3)', null],
      ['POWER(-2, 3)', -8],
      ['POWER(0, -1)', null],
      ['SQRT(16)', 4],
      ['SQRT(-1)', null],
    ]);
  });

  describe('row aggregates skip blanks', () => {
    table([
      ['SUM(1, 2, BLANK())', 3],
      ['SUM(BLANK())', 0],
      ['AVG(1, 2, BLANK())', 1.5],
      ['AVG(BLANK(), BLANK())', null],
      ['COUNT(1, BLANK(), 3)', 2],
      ['COUNTA("a", "", BLANK(), FALSE, 0)', 3],
      ['MIN(3, BLANK(), 1)', 1],
      ['MAX(BLANK())', null],
      ['MAX({due}, "2024-02-01")', new Date('2024-02-01T00:00:00Z')],
      ['MIN({due}, {at})', new Date('2024-01-31T00:00:00Z')],
    ]);
  });

  describe('dates, in UTC', () => {
    table([
      ['NOW()', NOW],
      ['TODAY()', new Date('2024-05-10T00:00:00Z')],
      ['YEAR({at}) & "-" & MONTH({at}) & "-" & DAY({at})', '2024-3-15'],
      ['DATEADD({due}, 1, "month")', new Date('2024-02-29T00:00:00Z')],
      ['DATEADD("2023-01-31", 1, "months")', new Date('2023-02-28T00:00:00Z')],
      ['DATEADD("2024-02-29", 1, "year")', new Date('2025-02-28T00:00:00Z')],
      ['DATEADD({due}, -1.9, "days")', new Date('2024-01-30T00:00:00Z')],
      ['DATEADD({due}, 2, "weeks")', new Date('2024-02-14T00:00:00Z')],
      ['DATEADD({due}, 36, "hours")', new Date('2024-02-01T12:00:00Z')],
      ['DATEADD({at}, -90, "seconds")', new Date('2024-03-15T10:19:00.123Z')],
      ['DATEADD({due}, BLANK(), "days")', null],
      ['DATETIME_DIFF({at}, {due}, "days")', 44],
      ['DATETIME_DIFF({due}, {at}, "days")', -44],
      ['DATETIME_DIFF({at}, {due}, "weeks")', 6],
      ['DATETIME_DIFF({at}, {due}, "months")', 1],
      ['DATETIME_DIFF("2024-02-29", "2024-01-31", "months")', 0],
      ['DATETIME_DIFF("2024-01-31", "2024-02-29", "months")', 0],
      ['DATETIME_DIFF("2024-03-31", "2024-02-29", "month")', 1],
      ['DATETIME_DIFF("2024-02-28", "2020-02-29", "years")', 3],
      ['DATETIME_DIFF("2024-02-29", "2020-02-29", "years")', 4],
      ['DATETIME_DIFF("2024-01-01 00:00:01", "2024-01-01", "seconds")', 1],
      ['DATETIME_FORMAT({at}, "DD/MM/YYYY HH:mm:ss.SSS")', '15/03/2024 10:20:30.123'],
      ['DATETIME_FORMAT({due}, "YYYY \'%Y\' MMM")', "2024 '%Y' 01M"],
      ['DATETIME_FORMAT({at})', '2024-03-15T10:20:30.123Z'],
      ['DATETIME_FORMAT(BLANK(), "YYYY")', null],
      ['"2024-01-31T12:00:00+02:00" = "2024-01-31 10:00"', false],
      ['DATEADD("2024-01-31T12:00:00+02:00", 0, "hours")', new Date('2024-01-31T10:00:00Z')],
    ]);
  });

  describe('row values in driver shapes', () => {
    const row = {
      amount: '12.50',
      qty: 3n,
      done: 1,
      due: '2024-01-31',
      at: '2024-03-15 10:20:30.123456+00',
      name: 42,
    };
    table(
      [
        ['{amount} + {qty}', 15.5],
        ['IF({done}, "yes")', 'yes'],
        ['{due} & ""', '2024-01-31'],
        ['{at} & ""', '2024-03-15T10:20:30.123Z'],
        ['{name} & "!"', '42!'],
      ],
      row,
    );
    table([['{amount} + 1', null]], { amount: 'not a number' });
  });

  it('refuses a tree that was not checked', () => {
    expect(() => evaluateFormula(parseFormula('1 + 1'), () => null, NOW)).to.throw(/checkFormula/);
  });
});
