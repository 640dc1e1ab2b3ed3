import { expect } from 'chai';
import type { ValidationError } from '../../../dataplane/src/platform/errors.js';
import { validateQuery } from '../../../dataplane/src/query/validate.js';
import { base, filtered, page, problems } from './validation-problems.js';
import { TWO_HOPS, UNIT_CATALOG } from './sql/unit-catalog.js';

describe('validateQuery', () => {
  it('returns a valid query unchanged', () => {
    const query = {
      ...base,
      joins: TWO_HOPS,
      select: ['id', 'c.name', 'k.name'],
      filter: { field: 'k.code', op: 'eq', value: 'AT' },
    };
    expect(validateQuery(query, UNIT_CATALOG)).to.equal(query);
  });

  describe('structure', () => {
    it('names missing, extra and malformed members by path', () => {
      expect(problems({ pagination: page })).to.deep.include({ path: 'source', message: 'is required' });
      expect(problems({ ...base, extra: 1 })).to.deep.include({
        path: 'extra',
        message: 'is not an accepted field',
      });
      expect(problems({ ...base, sorts: [{ field: 'id', direction: 'up' }] })).to.deep.equal([
        { path: 'sorts[0].direction', message: 'expected one of asc, desc' },
      ]);
      expect(problems({ source: 'orders', pagination: { mode: 'keyset', limit: 1.5 } })).to.deep.equal([
        { path: 'source', message: 'must be object' },
        { path: 'pagination.limit', message: 'must be integer' },
      ]);
      expect(
        problems({ ...base, joins: [{ ...TWO_HOPS[0], as: 'bad alias;' }] }).map((p) => p.path),
      ).to.include('joins[0].as');
    });

    it('checks pagination by mode', () => {
      expect(problems({ ...base, pagination: { mode: 'pages' } })).to.deep.equal([
        { path: 'pagination.mode', message: 'expected keyset or offset' },
      ]);
      expect(
        problems({ ...base, pagination: { mode: 'keyset', limit: 0 } }).map((p) => p.path),
      ).to.deep.equal(['pagination.limit']);
      expect(
        problems({ ...base, pagination: { mode: 'offset', limit: 1001, offset: 0 } }).map((p) => p.path),
      ).to.deep.equal(['pagination.limit']);
      expect(problems({ ...base, pagination: { mode: 'offset', limit: 10 } })).to.deep.equal([
        { path: 'pagination.offset', message: 'is required' },
      ]);
    });

    it('refuses NUL and lone surrogates anywhere', () => {
      expect(filtered({ field: 'status', op: 'eq', value: 'a\u0000b' })).to.deep.equal([
        { path: 'filter.value', message: 'must not contain NUL (\\u0000)' },
      ]);
      expect(problems({ ...base, select: ['id', '\uD800'] })).to.deep.equal([
        { path: 'select[1]', message: 'must be well-formed Unicode' },
      ]);
    });
  });

  describe('names resolve against the catalog', () => {
    it('source and joined tables', () => {
      expect(problems({ ...base, source: { table: 'nope' } })).to.deep.equal([
        { path: 'source.table', message: 'unknown table "nope"' },
      ]);
      expect(problems({ ...base, source: { table: 'customers', schema: 'other' } })[0]!.path).to.equal(
        'source.table',
      );
      expect(problems({ ...base, joins: [{ ...TWO_HOPS[0], table: 'nope' }] })).to.deep.equal([
        { path: 'joins[0].table', message: 'unknown table "nope"' },
      ]);
    });

    it('join conditions: earlier joins only, columns of the joined table, comparable types', () => {
      const [c, k] = TWO_HOPS;
      expect(problems({ ...base, joins: [k, c] })).to.deep.include({
        path: 'joins[0].on.left',
        message: 'unknown field "c.country_code"',
      });
      expect(problems({ ...base, joins: [c, c] })).to.deep.include({
        path: 'joins[1].as',
        message: 'duplicate join alias "c"',
      });
      expect(
        problems({ ...base, joins: [{ ...c, on: { left: 'customer_id', right: 'nope' } }] }),
      ).to.deep.equal([{ path: 'joins[0].on.right', message: 'unknown column "nope"' }]);
      expect(problems({ ...base, joins: [{ ...c, on: { left: 'status', right: 'id' } }] })).to.deep.equal([
        { path: 'joins[0].on', message: 'cannot join text to integer' },
      ]);
    });

    it('fields in select, filters and sorts', () => {
      expect(problems({ ...base, select: ['id', 'c.name'] })).to.deep.equal([
        { path: 'select[1]', message: 'unknown field "c.name"' },
      ]);
      expect(
        filtered({
          and: [
            { field: 'id', op: 'eq', value: 1 },
            { field: 'x.y', op: 'eq', value: 1 },
          ],
        }),
      ).to.deep.equal([{ path: 'filter.and[1].field', message: 'unknown field "x.y"' }]);
      expect(problems({ ...base, sorts: [{ field: 'meta' }] })).to.deep.equal([
        { path: 'sorts[0].field', message: 'json fields cannot be sorted' },
      ]);
      expect(
        problems({ ...base, sorts: [{ field: 'id' }, { field: 'id', direction: 'desc' }] }),
      ).to.deep.equal([{ path: 'sorts[1].field', message: 'already sorted by "id"' }]);
      expect(problems({ ...base, select: [] })).to.deep.equal([
        { path: 'select', message: 'must name at least one field' },
      ]);
      expect(problems({ ...base, select: ['id', 'id'] })).to.deep.equal([
        { path: 'select[1]', message: 'duplicate output "id"' },
      ]);
    });
  });

  describe('groups and aggregates', () => {
    const grouped = (groupBy: unknown, extra: object = {}) => problems({ ...base, groupBy, ...extra });
    it('checks fields and aggregate arguments', () => {
      expect(grouped({ fields: ['nope'], aggregates: [] })).to.deep.equal([
        { path: 'groupBy.fields[0]', message: 'unknown field "nope"' },
      ]);
      expect(grouped({ fields: ['meta'], aggregates: [] })).to.deep.equal([
        { path: 'groupBy.fields[0]', message: 'cannot group by json fields' },
      ]);
      expect(grouped({ fields: [], aggregates: [{ fn: 'sum', field: 'status', as: 's' }] })).to.deep.equal([
        { path: 'groupBy.aggregates[0].field', message: 'sum needs a number field' },
      ]);
      expect(grouped({ fields: [], aggregates: [{ fn: 'avg', as: 'a' }] })).to.deep.equal([
        { path: 'groupBy.aggregates[0].field', message: 'avg needs a number field' },
      ]);
      expect(
        grouped({ fields: [], aggregates: [{ fn: 'min', field: 'paid', as: 'm' }] })[0]!.message,
      ).to.equal('min needs a text, number, date or datetime field');
      expect(grouped({ fields: ['status'], aggregates: [{ fn: 'count', as: 'status' }] })).to.deep.equal([
        { path: 'groupBy.aggregates[0].as', message: 'duplicate output "status"' },
      ]);
      expect(grouped({ fields: [], aggregates: [] })).to.deep.equal([
        { path: 'groupBy', message: 'needs at least one field or aggregate' },
      ]);
    });

    it('selects and sorts only group fields and aggregates', () => {
      const groupBy = { fields: ['status'], aggregates: [{ fn: 'count', as: 'n' }] };
      expect(grouped(groupBy, { select: ['qty'] })).to.deep.equal([
        { path: 'select[0]', message: '"qty" is not a group field or an aggregate' },
      ]);
      expect(grouped(groupBy, { sorts: [{ field: 'qty' }] })).to.deep.equal([
        { path: 'sorts[0].field', message: '"qty" is not a group field or an aggregate' },
      ]);
      expect(
        validateQuery({ ...base, groupBy, sorts: [{ field: 'n', direction: 'desc' }] }, UNIT_CATALOG),
      ).to.be.an('object');
    });
  });

  it('keyset pagination needs a primary key on every table', () => {
    expect(problems({ source: { table: 'logs' }, pagination: { mode: 'keyset', limit: 5 } })).to.deep.equal([
      {
        path: 'pagination.mode',
        message: 'keyset pagination needs a primary key on every table; use offset pagination',
      },
    ]);
    expect(validateQuery({ source: { table: 'logs' }, pagination: page }, UNIT_CATALOG)).to.be.an('object');
  });

  it('computed columns: formula errors point at the formula, names must not shadow fields', () => {
    const bad = problems({
      ...base,
      computedColumns: [
        { name: 'x', formula: '{qty} +' },
        { name: 'status', formula: '1' },
        { name: 'y', formula: '{nope} * 2' },
      ],
    });
    expect(bad.map((p) => p.path)).to.deep.equal([
      'computedColumns[0].formula',
      'computedColumns[1].name',
      'computedColumns[2].formula',
    ]);
    expect(bad[0]!.message).to.match(/\(at \d+\.\.\d+\)$/);
  });

  it('reports at most 50 problems, the first 10 in the detail', () => {
    const bad = Array.from({ length: 60 }, () => ({ field: 'qty', op: 'eq', value: 'x' }));
    try {
      validateQuery({ ...base, filter: { and: bad } }, UNIT_CATALOG);
      expect.fail('should throw');
    } catch (error) {
      expect((error as ValidationError).errors).to.have.length(50);
      expect((error as Error).message).to.match(/filter\.and\[9\]\.value: expected integer; and 50 more$/);
    }
  });

  it('reports every problem at once, in the error detail too', () => {
    try {
      validateQuery({ ...base, select: ['nope'], sorts: [{ field: 'nada' }] }, UNIT_CATALOG);
      expect.fail('should throw');
    } catch (error) {
      expect((error as ValidationError).errors).to.have.length(2);
      expect((error as Error).message).to.equal(
        'invalid query: select[0]: unknown field "nope"; sorts[0].field: unknown field "nada"',
      );
    }
  });
});
