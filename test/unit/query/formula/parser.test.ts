import { expect } from 'chai';
import { ValidationError } from '../../../../dataplane/src/platform/errors.js';
import {
  MAX_FORMULA_LENGTH,
  MAX_HEIGHT,
  MAX_NESTING,
  parseFormula,
  printFormula,
} from '../../../../dataplane/src/query/formula/index.js';
import { formulaError, sexpr, spanned } from './helpers.js';

const tree = (text: string) => sexpr(parseFormula(text));

describe('parseFormula', () => {
  describe('precedence and associativity', () => {
    it('binds * / tighter than + -, which bind tighter than &, then comparisons', () => {
      expect(tree('1 + 2 * 3')).to.equal('(+ 1 (* 2 3))');
      expect(tree('1 * 2 + 3 / 4')).to.equal('(+ (* 1 2) (/ 3 4))');
      expect(tree('"a" & 1 + 2')).to.equal('(& "a" (+ 1 2))');
      expect(tree('1 & 2 = "12"')).to.equal('(= (& 1 2) "12")');
      expect(tree('{a} < {b} & "x"')).to.equal('(< {a} (& {b} "x"))');
    });

    it('is left-associative', () => {
      expect(tree('1 - 2 - 3')).to.equal('(- (- 1 2) 3)');
      expect(tree('8 / 4 / 2')).to.equal('(/ (/ 8 4) 2)');
      expect(tree('"a" & "b" & "c"')).to.equal('(& (& "a" "b") "c")');
    });

    it('gives unary minus the highest precedence, and lets parentheses override', () => {
      expect(tree('-2 * 3')).to.equal('(* (neg 2) 3)');
      expect(tree('--{x}')).to.equal('(neg (neg {x}))');
      expect(tree('-(1 + 2)')).to.equal('(neg (+ 1 2))');
      expect(tree('(1 + 2) * 3')).to.equal('(* (+ 1 2) 3)');
    });

    it('reads every comparison operator, <> as !=', () => {
      for (const op of ['=', '!=', '<', '<=', '>', '>=']) expect(tree(`1 ${op} 2`)).to.equal(`(${op} 1 2)`);
      expect(tree('1 <> 2')).to.equal('(!= 1 2)');
    });
  });

  describe('literals and references', () => {
    it('reads numbers in decimal and exponent forms', () => {
      expect(tree('12')).to.equal('12');
      expect(tree('1.5')).to.equal('1.5');
      expect(tree('.25')).to.equal('0.25');
      expect(tree('2e3')).to.equal('2000');
      expect(tree('1.5E-2')).to.equal('0.015');
    });

    it('reads strings in either quote with escapes', () => {
      expect(parseFormula(`'it\\'s'`)).to.include({ kind: 'string', value: "it's" });
      expect(parseFormula(`"say \\"hi\\""`)).to.include({ kind: 'string', value: 'say "hi"' });
      expect(parseFormula(`"a\\nb\\tc\\\\d\\re"`)).to.include({ value: 'a\nb\tc\\d\re' });
      expect(parseFormula(`"it's"`)).to.include({ value: "it's" });
      expect(parseFormula(`''`)).to.include({ kind: 'string', value: '' });
    });

    it('reads field references with spaces, unicode and escaped braces', () => {
      expect(parseFormula('{Full name}')).to.include({ kind: 'field', name: 'Full name' });
      expect(parseFormula('{Prix (€)}')).to.include({ name: 'Prix (€)' });
      expect(parseFormula('{a\\}b\\{c\\\\}')).to.include({ name: 'a}b{c\\' });
    });

    it('reads TRUE and FALSE in any case, with or without ()', () => {
      expect(tree('TRUE')).to.equal('TRUE');
      expect(tree('false')).to.equal('FALSE');
      expect(tree('True()')).to.equal('TRUE');
    });

    it('reads calls with upper-cased names and any number of arguments', () => {
      expect(tree('blank()')).to.equal('(BLANK)');
      expect(tree('if({a} > 1, "x", "y")')).to.equal('(IF (> {a} 1) "x" "y")');
      expect(tree('SUM(1, 2, 3, 4)')).to.equal('(SUM 1 2 3 4)');
      expect(tree('ROUND(SUM(1, {b}) / 3, 2)')).to.equal('(ROUND (/ (SUM 1 {b}) 3) 2)');
    });

    it('records spans of nodes in the source', () => {
      const ast = parseFormula('  IF({a} > 1, "x")');
      expect(ast.span).to.deep.equal({ start: 2, end: 18 });
      if (ast.kind !== 'call') throw new Error('expected a call');
      expect(ast.args[0]!.span).to.deep.equal({ start: 5, end: 12 });
      expect(ast.args[1]!.span).to.deep.equal({ start: 14, end: 17 });
    });

    it('ignores whitespace and newlines between tokens', () => {
      expect(tree('\n 1\t+\r\n2 ')).to.equal('(+ 1 2)');
    });
  });

  describe('errors', () => {
    const cases: [text: string, message: string, covers: string][] = [
      ['IF({a}, 1, 2))', "unexpected ')' at 13; expected an operator or the end of the formula", ')'],
      ['1 +', 'unexpected end of formula at 3', ''],
      ['', 'unexpected end of formula at 0', ''],
      ['(1 + 2', "unexpected end of formula at 6; expected ')'", ''],
      ['IF(1 2)', "unexpected number '2' at 5; expected ',' or ')'", '2'],
      ['1 # 2', "unexpected character '#' at 2", '#'],
      ['1 😀', "unexpected character '😀' at 2", '😀'],
      ['"abc', 'unterminated string starting at 0', '"abc'],
      ['{Full name', 'unterminated field reference starting at 0', '{Full name'],
      ['1 + {}', 'empty field reference at 4', '{}'],
      ['"a\\qb"', "unknown escape '\\q' at 2", '\\q'],
      ['amount + 1', "unknown name 'amount' at 0; field references are written {amount}", 'amount'],
      ['1e999', "number out of range '1e999' at 0", '1e999'],
      ['TRUE(1)', "unexpected number '1' at 5; expected ')'", '1'],
      ['1 ! 2', "unexpected character '!' at 2", '!'],
      ['SUM(1,)', "unexpected ')' at 6", ')'],
      [',', "unexpected ',' at 0", ','],
    ];
    for (const [text, message, covers] of cases) {
      it(`${JSON.stringify(text)} → ${message}`, () => {
        const error = formulaError(() => parseFormula(text));
        expect(error.message).to.equal(message);
        expect(spanned(text, error)).to.equal(covers);
      });
    }

    it('is a 422 validation_failed with the message under errors[] and the span in the problem', () => {
      const error = formulaError(() => parseFormula('1 +'));
      expect(error).to.be.instanceOf(ValidationError);
      expect(error).to.include({ status: 422, code: 'validation_failed' });
      expect(error.errors).to.deep.equal([{ path: 'formula', message: 'unexpected end of formula at 3' }]);
      expect(error.extensions).to.deep.include({ span: { start: 3, end: 3 } });
    });
  });

  describe('limits', () => {
    it(`refuses text longer than ${MAX_FORMULA_LENGTH} characters, pointing past the limit`, () => {
      const text = '1+'.repeat(MAX_FORMULA_LENGTH / 2) + '1';
      const error = formulaError(() => parseFormula(text));
      expect(error.span).to.deep.equal({ start: MAX_FORMULA_LENGTH, end: text.length });
    });

    it(`refuses parentheses nested more than ${MAX_NESTING} deep with a span at the offending one`, () => {
      const text = '('.repeat(MAX_NESTING + 1) + '1' + ')'.repeat(MAX_NESTING + 1);
      const error = formulaError(() => parseFormula(text));
      expect(error.message).to.match(/nested too deeply/);
      expect(error.span).to.deep.equal({ start: MAX_NESTING, end: MAX_NESTING + 1 });
      expect(() => parseFormula('('.repeat(MAX_NESTING) + '1' + ')'.repeat(MAX_NESTING))).not.to.throw();
    });

    it('refuses deep call nesting and long unary chains', () => {
      expect(formulaError(() => parseFormula('ABS('.repeat(200) + '1' + ')'.repeat(200))).message).to.match(
        /too deeply/,
      );
      expect(formulaError(() => parseFormula('-'.repeat(5000) + '1')).message).to.match(/too deeply/);
    });

    it(`refuses operator chains taller than ${MAX_HEIGHT}`, () => {
      expect(() => parseFormula(Array(MAX_HEIGHT).fill('1').join('+'))).not.to.throw();
      expect(
        formulaError(() =>
          parseFormula(
            Array(MAX_HEIGHT + 2)
              .fill('1')
              .join('+'),
          ),
        ).message,
      ).to.match(/too deeply/);
    });

    it('never overflows the stack on pathological input', () => {
      for (const text of [
        '('.repeat(9000),
        '{'.repeat(9000),
        '"'.repeat(9000),
        'A('.repeat(4000),
        '-('.repeat(4000),
      ]) {
        formulaError(() => parseFormula(text));
      }
    });
  });
});

describe('printFormula', () => {
  it('prints with the fewest parentheses and re-parses to the same tree', () => {
    const cases = [
      ['1 + 2 * 3', '1 + 2 * 3'],
      ['(1 + 2) * 3', '(1 + 2) * 3'],
      ['1 - (2 - 3)', '1 - (2 - 3)'],
      ['(1 - 2) - 3', '1 - 2 - 3'],
      ['-(1 + 2)', '-(1 + 2)'],
      ['if({a b}>1,"x\\"y",blank())', 'IF({a b} > 1, "x\\"y", BLANK())'],
      ["{a\\}b} & 'it\\'s'", '{a\\}b} & "it\'s"'],
      ['(1 = 2) = FALSE', '1 = 2 = FALSE'],
      ['1 = (2 = FALSE)', '1 = (2 = FALSE)'],
    ];
    for (const [input, printed] of cases) {
      expect(printFormula(parseFormula(input!))).to.equal(printed);
      expect(sexpr(parseFormula(printed!))).to.equal(sexpr(parseFormula(input!)));
    }
  });
});
