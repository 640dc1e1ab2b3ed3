import {
  MAX_FORMULA_LENGTH,
  MAX_HEIGHT,
  MAX_NESTING,
  childrenOf,
  node,
  type BinaryOp,
  type FormulaAst,
} from './ast.js';
import { FormulaError, quote, shorten } from './errors.js';
import { tokenize, type Token } from './tokenizer.js';

/**
 * Recursive-descent parser. Grammar (lowest precedence first; binary operators are left-associative):
 *
 *   formula    := expr EOF
 *   expr       := concat (('=' | '!=' | '<>' | '<' | '<=' | '>' | '>=') concat)*
 *   concat     := additive ('&' additive)*
 *   additive   := term (('+' | '-') term)*
 *   term       := unary (('*' | '/') unary)*
 *   unary      := '-' unary | primary
 *   primary    := NUMBER | STRING | FIELD | TRUE | FALSE | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'
 *
 * Nesting (parentheses, calls, unary minus) is capped at MAX_NESTING, tree height at MAX_HEIGHT and
 * the text at MAX_FORMULA_LENGTH, so no input can exhaust the stack here or in later tree walks.
 */
const LEVELS: readonly (readonly string[])[] = [
  ['=', '!=', '<>', '<', '<=', '>', '>='],
  ['&'],
  ['+', '-'],
  ['*', '/'],
];

export function parseFormula(text: string): FormulaAst {
  if (text.length > MAX_FORMULA_LENGTH) {
    throw new FormulaError(`formula is longer than ${MAX_FORMULA_LENGTH} characters`, {
      start: MAX_FORMULA_LENGTH,
      end: text.length,
    });
  }
  return new Parser(tokenize(text)).parse();
}

class Parser {
  private at = 0;
  private nesting = 0;
  private readonly heights = new WeakMap<FormulaAst, number>();

  constructor(private readonly tokens: Token[]) {}

  parse(): FormulaAst {
    const result = this.binary(0);
    this.expectEnd();
    return result;
  }

  private binary(level: number): FormulaAst {
    if (level === LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'symbol' || !LEVELS[level]!.includes(token.text)) return left;
      this.at++;
      const right = this.binary(level + 1);
      const op = (token.text === '<>' ? '!=' : token.text) as BinaryOp;
      left = this.make(
        { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end } },
        token,
      );
    }
  }

  private unary(): FormulaAst {
    const token = this.peek();
    if (token.kind === 'symbol' && token.text === '-') {
      this.at++;
      const operand = this.nested(token, () => this.unary());
      return this.make(
        { kind: 'unary', op: '-', operand, span: { start: token.span.start, end: operand.span.end } },
        token,
      );
    }
    return this.primary();
  }

  private primary(): FormulaAst {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return node({ kind: 'number', value: Number(token.text), span: token.span });
      case 'string':
        return node({ kind: 'string', value: token.text, span: token.span });
      case 'field':
        return node({ kind: 'field', name: token.text, span: token.span });
      case 'name':
        return this.named(token);
      case 'symbol':
        if (token.text === '(') {
          const inner = this.nested(token, () => this.binary(0));
          this.expect(')', "expected ')'");
          return inner;
        }
        throw this.unexpected(token);
      case 'eof':
        throw this.unexpected(token);
    }
  }

  /** TRUE / FALSE (optionally written TRUE()), or a function call. */
  private named(name: Token): FormulaAst {
    const upper = name.text.toUpperCase();
    const open = this.peek();
    const isCall = open.kind === 'symbol' && open.text === '(';
    if (upper === 'TRUE' || upper === 'FALSE') {
      let end = name.span.end;
      if (isCall) {
        this.at++;
        end = this.expect(')', "expected ')'").span.end;
      }
      return node({ kind: 'boolean', value: upper === 'TRUE', span: { start: name.span.start, end } });
    }
    if (!isCall) {
      throw new FormulaError(
        `unknown name ${quote(name.text)} at ${name.span.start}; field references are written {${shorten(name.text)}}`,
        name.span,
      );
    }
    this.at++;
    const args = this.nested(name, () => this.arguments());
    const close = this.expect(')', "expected ',' or ')'");
    return this.make(
      { kind: 'call', name: upper, args, span: { start: name.span.start, end: close.span.end } },
      name,
    );
  }

  private arguments(): FormulaAst[] {
    const args: FormulaAst[] = [];
    if (this.isSymbol(')')) return args;
    args.push(this.binary(0));
    while (this.isSymbol(',')) {
      this.at++;
      args.push(this.binary(0));
    }
    return args;
  }

  private nested<T>(token: Token, parse: () => T): T {
    if (++this.nesting > MAX_NESTING) throw tooDeep(token, MAX_NESTING);
    const result = parse();
    this.nesting--;
    return result;
  }

  /** Freezes a node and enforces the height limit (long operator chains nest too). */
  private make<N extends FormulaAst>(n: N, token: Token): N {
    const height = 1 + Math.max(0, ...childrenOf(n).map((c) => this.heights.get(c) ?? 1));
    if (height > MAX_HEIGHT) throw tooDeep(token, MAX_HEIGHT);
    this.heights.set(n, height);
    return node(n);
  }

  private expect(symbol: string, hint: string): Token {
    const token = this.next();
    if (token.kind !== 'symbol' || token.text !== symbol) throw this.unexpected(token, hint);
    return token;
  }

  private expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'eof') throw this.unexpected(token, 'expected an operator or the end of the formula');
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === symbol;
  }

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    const token = this.tokens[this.at]!;
    if (token.kind !== 'eof') this.at++;
    return token;
  }

  private unexpected(token: Token, hint?: string): FormulaError {
    const suffix = hint === undefined ? '' : `; ${hint}`;
    return new FormulaError(`unexpected ${describe(token)} at ${token.span.start}${suffix}`, token.span);
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of formula';
    case 'symbol':
      return `'${token.text}'`;
    case 'number':
      return `number ${quote(token.text)}`;
    case 'string':
      return `string ${quote(token.text)}`;
    case 'field':
      return `field reference {${shorten(token.text)}}`;
    case 'name':
      return `name ${quote(token.text)}`;
  }
}

function tooDeep(token: Token, limit: number): FormulaError {
  return new FormulaError(`formula is nested too deeply at ${token.span.start} (limit ${limit})`, token.span);
}
