import { BadRequestError, ForbiddenError } from '../../platform/errors.js';

export type SqlDialect = 'postgres' | 'mysql';

/** Statements a read-only connection may run as raw SQL. */
const READ_KEYWORDS = new Set(['select', 'with', 'explain', 'show']);

/**
 * The statement with string literals, quoted identifiers and comments blanked out, so keyword
 * checks see only code. Postgres: '...' (and E'...' with backslashes), "...", $tag$...$tag$,
 * nested /* *\/; MySQL: '...' and "..." with backslash escapes, `...`, # comments.
 */
export function codeOnly(sql: string, dialect: SqlDialect): string {
  let out = '';
  let i = 0;
  const blank = (to: number) => {
    out += ' '.repeat(to - i);
    i = to;
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') blank(lineEnd(sql, i));
    else if (ch === '#' && dialect === 'mysql') blank(lineEnd(sql, i));
    else if (ch === '/' && next === '*') blank(blockCommentEnd(sql, i, dialect === 'postgres'));
    else if (ch === "'" || ch === '"' || (ch === '`' && dialect === 'mysql')) {
      const backslashes =
        dialect === 'mysql' ||
        (ch === "'" && /(^|[^A-Za-z0-9_$])[eE]$/.test(sql.slice(Math.max(0, i - 2), i)));
      blank(quotedEnd(sql, i, ch, backslashes && ch !== '`'));
    } else if (ch === '$' && dialect === 'postgres') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        blank(close < 0 ? sql.length : close + tag.length);
      } else {
        out += ch;
        i += 1;
      }
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

function lineEnd(sql: string, from: number): number {
  const nl = sql.indexOf('\n', from);
  return nl < 0 ? sql.length : nl;
}

function blockCommentEnd(sql: string, from: number, nested: boolean): number {
  let depth = 0;
  for (let i = from; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*' && (nested || depth === 0)) {
      depth += 1;
      i += 1;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth -= 1;
      i += 1;
      if (depth === 0) return i + 1;
    }
  }
  return sql.length;
}

function quotedEnd(sql: string, from: number, quote: string, backslashes: boolean): number {
  for (let i = from + 1; i < sql.length; i++) {
    if (backslashes && sql[i] === '\\') i += 1;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 1;
      else return i + 1;
    }
  }
  return sql.length;
}

/** One statement only: a `;` may end the text but not separate two statements. */
export function assertSingleStatement(sql: string, dialect: SqlDialect): void {
  const code = codeOnly(sql, dialect).replace(/[\s;]+$/, '');
  if (code.includes(';')) {
    throw new BadRequestError('A raw query may contain only one statement', 'multiple_statements');
  }
}

/**
 * The first check of a read-only connection, before anything reaches the server: only
 * SELECT, WITH, EXPLAIN and SHOW (and, for MySQL, no SELECT ... INTO OUTFILE/DUMPFILE).
 * The READ ONLY transaction the statement then runs in is the second check (a WITH holding a
 * DELETE, a function that writes).
 */
export function assertReadStatement(sql: string, dialect: SqlDialect): void {
  const code = codeOnly(sql, dialect);
  const keyword = /^[\s(]*([A-Za-z]+)/.exec(code)?.[1]?.toLowerCase();
  if (!keyword || !READ_KEYWORDS.has(keyword)) {
    throw new ForbiddenError(
      `This connection is read-only: only SELECT, WITH, EXPLAIN and SHOW statements may run (got ${keyword?.toUpperCase() ?? 'nothing'})`,
      'read_only_connection',
    );
  }
  if (dialect === 'mysql' && /\binto\s+(outfile|dumpfile)\b/i.test(code)) {
    throw new ForbiddenError(
      'This connection is read-only: SELECT ... INTO a file is refused',
      'read_only_connection',
    );
  }
}
