import type { Span } from './ast.js';
import { FormulaError, quote } from './errors.js';

/**
 * Splits formula text into tokens. Lexical rules (README "Grammar"):
 *   number   digits with an optional fraction and exponent: 12  1.5  .5  2e-3
 *   string   '...' or "..." with escapes \\ \' \" \n \r \t
 *   field    {Field name} with escapes \} \{ \\
 *   name     [A-Za-z_][A-Za-z0-9_]*  (function names, TRUE, FALSE)
 *   symbols  ( ) , + - * / & = != <> < <= > >=
 */
export type TokenKind = 'number' | 'string' | 'field' | 'name' | 'symbol' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The decoded value: number text, string contents, field name, name, or the symbol itself. */
  text: string;
  span: Span;
}

const SYMBOLS = ['!=', '<>', '<=', '>=', '(', ')', ',', '+', '-', '*', '/', '&', '=', '<', '>'];
const STRING_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' };
const FIELD_ESCAPES: Record<string, string> = { '\\': '\\', '{': '{', '}': '}' };
const NUMBER = /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPACE = /[ \t\r\n]+/y;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    SPACE.lastIndex = at;
    if (SPACE.test(text)) {
      at = SPACE.lastIndex;
      continue;
    }
    const token = readToken(text, at);
    tokens.push(token);
    at = token.span.end;
  }
  tokens.push({ kind: 'eof', text: '', span: { start: text.length, end: text.length } });
  return tokens;
}

function readToken(text: string, at: number): Token {
  const c = text[at]!;
  if (c === "'" || c === '"') return readQuoted(text, at, c, 'string', STRING_ESCAPES);
  if (c === '{') return readQuoted(text, at, '}', 'field', FIELD_ESCAPES);
  const number = match(NUMBER, text, at);
  if (number !== undefined) return readNumber(number, at);
  const name = match(NAME, text, at);
  if (name !== undefined) return { kind: 'name', text: name, span: { start: at, end: at + name.length } };
  const symbol = SYMBOLS.find((s) => text.startsWith(s, at));
  if (symbol !== undefined)
    return { kind: 'symbol', text: symbol, span: { start: at, end: at + symbol.length } };
  const char = String.fromCodePoint(text.codePointAt(at)!);
  throw new FormulaError(`unexpected character ${quote(char)} at ${at}`, {
    start: at,
    end: at + char.length,
  });
}

function match(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

function readNumber(raw: string, at: number): Token {
  const span = { start: at, end: at + raw.length };
  if (!Number.isFinite(Number(raw)))
    throw new FormulaError(`number out of range ${quote(raw)} at ${at}`, span);
  return { kind: 'number', text: raw, span };
}

/** A quoted string (`close` = its opening quote) or a `{field}` reference (`close` = '}'). */
function readQuoted(
  text: string,
  start: number,
  close: string,
  kind: 'string' | 'field',
  escapes: Record<string, string>,
): Token {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const c = text[at]!;
    if (c === close) {
      const span = { start, end: at + 1 };
      if (kind === 'field' && value.length === 0)
        throw new FormulaError(`empty field reference at ${start}`, span);
      return { kind, text: value, span };
    }
    if (c === '\\') {
      const next = text[at + 1];
      if (next === undefined) break;
      const decoded = escapes[next];
      if (decoded === undefined) {
        const shown = `\\${String.fromCodePoint(text.codePointAt(at + 1)!)}`;
        throw new FormulaError(`unknown escape ${quote(shown)} at ${at}`, {
          start: at,
          end: at + shown.length,
        });
      }
      value += decoded;
      at += 2;
      continue;
    }
    value += c;
    at += 1;
  }
  const what = kind === 'field' ? 'field reference' : 'string';
  throw new FormulaError(`unterminated ${what} starting at ${start}`, { start, end: text.length });
}
