import { expect } from 'chai';
import { and, cond, not, or, query } from '../../../dataplane/src/query/builder.js';
import { validateQuery } from '../../../dataplane/src/query/validate.js';
import { UNIT_CATALOG } from './sql/unit-catalog.js';

describe('query builder', () => {
  it('builds the LQP a service asks for', () => {
    const built = query('orders')
      .where('status', 'eq', 'open')
      .and('qty', 'gt', 2)
      .or(cond('paid', 'eq', true), not(cond('due', 'isPast')))
      .orderBy('due', 'desc')
      .orderBy('id')
      .leftJoin('customers', 'c', 'customer_id', 'id')
      .compute('total', '{qty} * {price}')
      .select('id', 'total', 'c.name')
      .page({ mode: 'keyset', limit: 50 })
      .build();
    expect(built).to.deep.equal({
      source: { table: 'orders' },
      select: ['id', 'total', 'c.name'],
      sorts: [
        { field: 'due', direction: 'desc' },
        { field: 'id', direction: 'asc' },
      ],
      joins: [{ table: 'customers', as: 'c', type: 'left', on: { left: 'customer_id', right: 'id' } }],
      computedColumns: [{ name: 'total', formula: '{qty} * {price}' }],
      filter: {
        and: [
          { field: 'status', op: 'eq', value: 'open' },
          { field: 'qty', op: 'gt', value: 2 },
          { or: [{ field: 'paid', op: 'eq', value: true }, { not: { field: 'due', op: 'isPast' } }] },
        ],
      },
      pagination: { mode: 'keyset', limit: 50 },
    });
    const catalog = {
      table: (name: string) => UNIT_CATALOG.table(name, name === 'customers' ? 'crm' : undefined),
    };
    expect(validateQuery(built, catalog)).to.equal(built);
  });

  it('is immutable: each call returns a new builder', () => {
    const open = query('orders').where('status', 'eq', 'open');
    const a = open.orderBy('id').build();
    const b = open.where(and(cond('qty', 'gt', 1), or(cond('qty', 'lt', 9)))).build();
    expect(a.filter).to.deep.equal({ field: 'status', op: 'eq', value: 'open' });
    expect(b.sorts).to.equal(undefined);
    expect(b.filter).to.deep.equal({
      and: [
        a.filter,
        { and: [{ field: 'qty', op: 'gt', value: 1 }, { or: [{ field: 'qty', op: 'lt', value: 9 }] }] },
      ],
    });
  });

  it('groups, aggregates, schemas, inner joins and default pagination', () => {
    const built = query('orders', 'sales')
      .join('countries', 'k', 'country', 'code')
      .groupBy('status')
      .aggregate('count', 'n')
      .aggregate('sum', 'total', 'qty')
      .build();
    expect(built).to.deep.equal({
      source: { table: 'orders', schema: 'sales' },
      joins: [{ table: 'countries', as: 'k', type: 'inner', on: { left: 'country', right: 'code' } }],
      groupBy: {
        fields: ['status'],
        aggregates: [
          { fn: 'count', as: 'n' },
          { fn: 'sum', field: 'qty', as: 'total' },
        ],
      },
      pagination: { mode: 'keyset', limit: 100 },
    });
  });

  it('returns a copy: changing the result does not change the builder', () => {
    const builder = query('orders').select('id');
    builder.build().select!.push('status');
    expect(builder.build().select).to.deep.equal(['id']);
  });
});
