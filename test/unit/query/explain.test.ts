import { expect } from 'chai';
import knexFactory from 'knex';
import { explain } from '../../../dataplane/src/query/explain.js';
import { compileSql } from '../../../dataplane/src/query/sql/index.js';
import { TWO_HOPS, UNIT_CATALOG } from './sql/unit-catalog.js';

describe('explain', () => {
  const query = {
    source: { table: 'orders' },
    select: ['id', 'c.name', 'total'],
    joins: TWO_HOPS,
    computedColumns: [{ name: 'total', formula: '{qty} * {price}' }],
    filter: { field: 'status', op: 'eq', value: 'open' },
    sorts: [{ field: 'total', direction: 'desc' }],
    pagination: { mode: 'keyset', limit: 20 },
  };

  it('shows the compiled statement, its bindings, and that every part runs in the source', () => {
    for (const target of ['postgres', 'mysql'] as const) {
      const explanation = explain(query, UNIT_CATALOG, target);
      expect(explanation.target).to.equal(target);
      expect(explanation.compiled)
        .to.be.a('string')
        .and.match(/^SELECT /);
      expect(explanation.bindings).to.include('open').and.include(21);
      expect(explanation.pushedDown).to.deep.equal([
        'source',
        'joins',
        'filter',
        'computedColumns',
        'sorts',
        'pagination:keyset',
      ]);
      expect(explanation.inProcess).to.deep.equal([]);
    }
    const grouped = explain(
      {
        source: { table: 'orders' },
        groupBy: { fields: ['status'], aggregates: [] },
        pagination: { mode: 'offset', limit: 5, offset: 5 },
      },
      UNIT_CATALOG,
      'postgres',
    );
    expect(grouped.pushedDown).to.deep.equal(['source', 'groupBy', 'sorts', 'pagination:offset']);
  });

  it('validates like validateQuery', () => {
    expect(() => explain({ ...query, select: ['nope'] }, UNIT_CATALOG, 'postgres')).to.throw(
      /select\[0\]: unknown field "nope"/,
    );
  });

  it('describes the output columns, and refuses a knex of another dialect', () => {
    const pg = knexFactory({ client: 'pg' });
    const compiled = compileSql(query, UNIT_CATALOG, 'postgres', pg);
    expect(compiled.outputColumns).to.deep.equal([
      { name: 'id', type: 'integer' },
      { name: 'c.name', type: 'text' },
      { name: 'total', type: 'number' },
    ]);
    expect(() => compileSql(query, UNIT_CATALOG, 'mysql', pg)).to.throw(/cannot run mysql SQL/);
    return pg.destroy();
  });
});
