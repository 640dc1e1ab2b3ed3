import { expect } from 'chai';
import knexFactory from 'knex';
import { BadRequestError, ValidationError } from '../../../../dataplane/src/platform/errors.js';
import { catalogOf } from '../../../../dataplane/src/query/catalog.js';
import { encodeKeysetCursor } from '../../../../dataplane/src/query/keyset-cursor.js';
import {
  compileSql,
  UnsupportedIdentifierError,
  type SqlDialectName,
} from '../../../../dataplane/src/query/sql/index.js';
import { TWO_HOPS, UNIT_CATALOG } from './unit-catalog.js';

/**
 * The injection corpus: hostile text in values, in field names, aliases, table names, output
 * names and cursors. Values only ever travel as bindings, unknown names are refused by
 * validation, and no input string ever reaches the SQL text.
 */
const CORPUS = [
  "'",
  '"',
  '`',
  '\\',
  "'; DROP TABLE orders; --",
  '"; DROP TABLE orders; --',
  '`; DROP TABLE orders; #',
  "' OR '1'='1",
  '/* comment */',
  '-- comment',
  '?',
  '??',
  '\\?',
  '$1',
  '%',
  '_',
  '!',
  'x as y',
  'a.b',
  '${x}',
  'Ω≈ç√ 日本 😀',
  '\u202eevil',
  '\u200b',
  'line\nbreak\r\ttab',
  "\\'; SELECT pg_sleep(10); --",
];
const MARK = 'Zq9Mark';
const DIALECTS: [SqlDialectName, string][] = [
  ['postgres', 'pg'],
  ['mysql', 'mysql2'],
];
const base = {
  source: { table: 'orders' },
  select: ['id'],
  pagination: { mode: 'keyset', limit: 10 },
} as const;

describe('injection corpus', () => {
  for (const [dialect, client] of DIALECTS) {
    describe(dialect, () => {
      const knex = knexFactory({ client });
      after(() => knex.destroy());
      const compile = (query: unknown, catalog = UNIT_CATALOG) => compileSql(query, catalog, dialect, knex);

      it('values are bindings: the statement text does not depend on them', () => {
        const textFilter = (v: string) => ({
          and: [
            ...(['eq', 'neq', 'lt', 'gte', 'contains', 'ncontains', 'startsWith', 'endsWith'] as const).map(
              (op) => ({ field: 'status', op, value: v }),
            ),
            { field: 'status', op: 'in', value: [v, v] },
            { field: 'status', op: 'nin', value: [v] },
            { field: 'status', op: 'between', value: [v, v] },
            { field: 'c.name', op: 'eq', value: v },
          ],
        });
        const reference = compile({ ...base, joins: TWO_HOPS, filter: textFilter('benign') }).sql;
        for (const text of CORPUS) {
          const value = `${MARK}${text}`;
          const compiled = compile({ ...base, joins: TWO_HOPS, filter: textFilter(value) });
          expect(compiled.sql, text).to.equal(reference);
          expect(compiled.sql).not.to.include(MARK);
          expect(compiled.bindings, text).to.include(value);
        }
      });

      it('unknown names in fields, joins and tables are refused by validation', () => {
        for (const text of CORPUS) {
          const name = `${MARK}${text}`;
          const attempts: unknown[] = [
            { ...base, select: [name] },
            { ...base, select: [`c.${name}`], joins: TWO_HOPS },
            { ...base, filter: { field: name, op: 'eq', value: 1 } },
            { ...base, sorts: [{ field: name }] },
            { ...base, source: { table: name } },
            { ...base, source: { table: 'orders', schema: name } },
            { ...base, joins: [{ ...TWO_HOPS[0], table: name }] },
            { ...base, joins: [{ ...TWO_HOPS[0], on: { left: name, right: 'id' } }] },
            { ...base, groupBy: { fields: [name], aggregates: [] } },
          ];
          for (const query of attempts)
            expect(() => compile(query), `${text} in ${JSON.stringify(query)}`).to.throw(ValidationError);
        }
      });

      it('join aliases are refused unless plain words, and never reach the statement (tables are t0, t1, ...)', () => {
        for (const text of CORPUS) {
          const as = `${MARK}${text}`;
          const query = { ...base, select: ['id', `${as}.name`], joins: [{ ...TWO_HOPS[0], as }] };
          if (!/^\w+$/.test(as)) {
            expect(() => compile(query), text).to.throw(ValidationError);
            continue;
          }
          const compiled = compile(query);
          expect(compiled.sql).not.to.include(MARK);
          expect(compiled.outputColumns.map((c) => c.name)).to.deep.equal(['id', `${as}.name`]);
        }
      });

      it('free-form output names (computed columns, aggregates) never reach the statement', () => {
        for (const text of CORPUS) {
          const name = `${MARK}${text}`;
          const computed = compile({
            ...base,
            select: ['id', name],
            computedColumns: [{ name, formula: '{qty} + 1' }],
            sorts: [{ field: name }],
          });
          const grouped = compile({
            ...base,
            select: undefined,
            groupBy: { fields: ['status'], aggregates: [{ fn: 'count', as: name }] },
            sorts: [{ field: name }],
          });
          for (const compiled of [computed, grouped]) {
            expect(compiled.sql).not.to.include(MARK);
            expect(compiled.bindings.join()).not.to.include(MARK);
            expect(compiled.outputColumns.map((c) => c.name)).to.include(name);
          }
        }
      });

      it('formula text stays in bindings', () => {
        const compiled = compile({
          ...base,
          select: ['label'],
          computedColumns: [{ name: 'label', formula: `CONCAT({status}, "${MARK}'; DROP TABLE x; --")` }],
        });
        expect(compiled.sql).not.to.include(MARK);
        expect(compiled.bindings.join()).to.include(MARK);
      });

      it('cursors carry values as bindings, and forged ones are refused', () => {
        const forged = encodeKeysetCursor('not-this-query', [`${MARK}'; DROP TABLE orders; --`]);
        expect(() => compile({ ...base, pagination: { mode: 'keyset', limit: 5, cursor: forged } })).to.throw(
          BadRequestError,
        );
        for (const cursor of ['', '!!!', Buffer.from('[1,2]').toString('base64url'), `${MARK}'--`]) {
          expect(
            () => compile({ ...base, pagination: { mode: 'keyset', limit: 5, cursor } }),
            cursor,
          ).to.throw(BadRequestError);
        }
      });

      it('catalog identifiers are quoted with their quote characters doubled', () => {
        const table = 'x"; DROP TABLE y; --`';
        const column = 'a"b`c.d as e';
        const catalog = catalogOf([
          { name: table, primaryKey: [column], columns: [{ name: column, type: 'text', nullable: false }] },
        ]);
        const { sql } = compile(
          {
            source: { table },
            filter: { field: column, op: 'eq', value: 'v' },
            pagination: { mode: 'keyset', limit: 1 },
          },
          catalog,
        );
        const quoted =
          dialect === 'postgres'
            ? ['"x""; DROP TABLE y; --`"', '"a""b`c.d as e"']
            : ['`x"; DROP TABLE y; --```', '`a"b``c.d as e`'];
        for (const q of quoted) expect(sql).to.include(q);
        expect(sql.replaceAll(quoted[0]!, '').replaceAll(quoted[1]!, '')).not.to.match(/DROP|a"b|c\.d/);
      });

      it('a "?" inside a catalog identifier is not a placeholder (or is refused on mysql2)', () => {
        const catalog = catalogOf([
          { name: 'why?', primaryKey: ['id'], columns: [{ name: 'id', type: 'integer', nullable: false }] },
        ]);
        const query = {
          source: { table: 'why?' },
          filter: { field: 'id', op: 'eq', value: 7 },
          pagination: { mode: 'keyset', limit: 1 },
        };
        if (dialect === 'mysql') {
          expect(() => compile(query, catalog)).to.throw(UnsupportedIdentifierError);
          return;
        }
        const compiled = compile(query, catalog);
        expect(compiled.sql).to.include('FROM "why?" AS "t0"');
        expect(compiled.sql).to.include('CAST($1 AS bigint)');
        expect(compiled.bindings).to.deep.equal([7, 2]);
      });
    });
  }
});
