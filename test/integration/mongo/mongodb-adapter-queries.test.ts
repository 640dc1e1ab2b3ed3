import { expect } from 'chai';
import type { Document } from 'mongodb';
import type { MongoAdapter } from '../../../dataplane/src/adapters/mongodb/mongodb.adapter.js';
import type { LogicalQuery } from '../../../dataplane/src/query/lqp.js';
import {
  COUNTRIES,
  CUSTOMERS,
  get,
  ORDERS,
  startAdapterHarness,
  type AdapterHarness,
} from './adapter-harness.js';

/** Joins, grouping and computed columns through the adapter, checked against the seeded data. */
const page = { mode: 'keyset', limit: 1000 } as const;
const customerOf = (o: Document) => CUSTOMERS.find((c) => o.customerId && c._id.equals(o.customerId));
const countryOf = (c: Document | undefined) => COUNTRIES.find((k) => c && k._id === c.countryId);

describe('MongoDB adapter: joins, groups and computed columns', () => {
  let h: AdapterHarness;
  let adapter: MongoAdapter;
  const run = (q: Omit<LogicalQuery, 'pagination'> & { pagination?: LogicalQuery['pagination'] }) =>
    adapter.executeLogicalQuery({ pagination: page, ...q });

  before(async () => {
    h = await startAdapterHarness();
    adapter = h.adapter();
  });

  after(() => h.close());

  it('left-joins two hops: unmatched and null keys keep the row with nulls', async () => {
    const { rows } = await run({
      source: { table: 'orders' },
      select: ['i', 'c.name', 'k.name'],
      joins: [
        { table: 'customers', as: 'c', type: 'left', on: { left: 'customerId', right: '_id' } },
        { table: 'countries', as: 'k', type: 'left', on: { left: 'c.countryId', right: '_id' } },
      ],
      sorts: [{ field: 'i' }],
    });
    const expected = ORDERS.map((o) => {
      const c = customerOf(o);
      return { i: o.i, 'c.name': c?.name ?? null, 'k.name': countryOf(c)?.name ?? null };
    });
    expect(rows).to.deep.equal(expected);
  });

  it('inner-joins drop unmatched rows and filter on joined fields', async () => {
    const { rows } = await run({
      source: { table: 'orders' },
      select: ['i', 'k.name'],
      joins: [
        { table: 'customers', as: 'c', on: { left: 'customerId', right: '_id' } },
        { table: 'countries', as: 'k', on: { left: 'c.countryId', right: '_id' } },
      ],
      filter: { field: 'k.name', op: 'in', value: ['Österreich', '日本'] },
      sorts: [{ field: 'i', direction: 'desc' }],
    });
    const expected = ORDERS.map((o) => ({ i: o.i, 'k.name': countryOf(customerOf(o))?.name }))
      .filter((r) => r['k.name'] === 'Österreich' || r['k.name'] === '日本')
      .reverse();
    expect(rows).to.deep.equal(expected);
    expect(rows.length).to.be.greaterThan(0);
  });

  it('groups with SQL aggregate semantics (null and missing form one group, NULLs last)', async () => {
    const { rows } = await run({
      source: { table: 'orders' },
      groupBy: {
        fields: ['status'],
        aggregates: [
          { fn: 'count', as: 'n' },
          { fn: 'count', field: 'total', as: 'withTotal' },
          { fn: 'sum', field: 'total', as: 'sum' },
          { fn: 'max', field: 'total', as: 'max' },
          { fn: 'countDistinct', field: 'shipping.city', as: 'cities' },
          { fn: 'min', field: 'createdAt', as: 'first' },
        ],
      },
      sorts: [{ field: 'status' }],
    });
    const keys = [...new Set(ORDERS.map((o) => o.status ?? null))].sort((a, b) =>
      a === null ? 1 : b === null ? -1 : a < b ? -1 : 1,
    );
    const expected = keys.map((status) => {
      const group = ORDERS.filter((o) => (o.status ?? null) === status);
      const totals = group.map((o) => o.total).filter((t) => typeof t === 'number');
      const cities = new Set(
        group.map((o) => get(o, 'shipping.city')).filter((c) => c !== null && c !== undefined),
      );
      const first = Math.min(...group.map((o) => o.createdAt.getTime()));
      return {
        status,
        n: group.length,
        withTotal: totals.length,
        sum: totals.length ? totals.reduce((a, b) => a + b, 0) : null,
        max: totals.length ? Math.max(...totals) : null,
        cities: cities.size,
        first: new Date(first).toISOString(),
      };
    });
    expect(rows.map((r) => r.status)).to.deep.equal(keys);
    rows.forEach((row, i) => {
      const { sum, ...rest } = expected[i]!;
      expect(row).to.deep.include(rest);
      if (sum === null) expect(row.sum).to.equal(null);
      else expect(row.sum).to.be.closeTo(sum, 1e-6);
    });
  });

  it('groups over everything into one row, even when nothing matches', async () => {
    const aggregates = [
      { fn: 'count' as const, as: 'n' },
      { fn: 'avg' as const, field: 'qty', as: 'avgQty' },
    ];
    const all = await run({ source: { table: 'orders' }, groupBy: { fields: [], aggregates } });
    expect(all.rows).to.have.length(1);
    expect(all.rows[0]!.n).to.equal(1000);
    expect(all.rows[0]!.avgQty).to.be.closeTo(ORDERS.reduce((s, o) => s + o.qty, 0) / 1000, 1e-9);
    const none = await run({
      source: { table: 'orders' },
      groupBy: { fields: [], aggregates },
      filter: { field: 'qty', op: 'gt', value: 1000 },
    });
    expect(none.rows).to.deep.equal([{ n: 0, avgQty: null }]);
  });

  it('computes formulas in MongoDB or in process, and explains which', async () => {
    const result = await adapter.executeLogicalQuery(
      {
        source: { table: 'orders' },
        select: ['i', 'double', 'loud'],
        computedColumns: [
          { name: 'double', formula: '{qty} * 2' },
          { name: 'loud', formula: 'UPPER({shipping.city})' },
        ],
        filter: { field: 'double', op: 'gte', value: 20 },
        sorts: [{ field: 'i' }],
        pagination: page,
      },
      { explain: true },
    );
    const expected = ORDERS.filter((o) => o.qty * 2 >= 20).map((o) => {
      const city = get(o, 'shipping.city');
      return { i: o.i, double: o.qty * 2, loud: typeof city === 'string' ? city.toUpperCase() : null };
    });
    expect(result.rows).to.deep.equal(expected);
    expect(result.explain).to.include({ target: 'mongodb' });
    expect(result.explain!.inProcess).to.deep.equal(['computed:loud']);
    expect(result.explain!.pushedDown).to.include.members(['filter', 'computed:double']);
    expect(result.explain!.compiled).to.be.an('array');
  });

  it('answers nested values, arrays, unicode and ObjectIds as JSON-ready values', async () => {
    const { rows } = await run({
      source: { table: 'orders' },
      select: ['_id', 'tags', 'shipping.city', 'createdAt', 'customerId'],
      filter: { field: 'i', op: 'eq', value: 7 },
    });
    const o = ORDERS[7]!;
    expect(rows).to.deep.equal([
      {
        _id: o._id.toHexString(),
        tags: o.tags,
        'shipping.city': get(o, 'shipping.city'),
        createdAt: o.createdAt.toISOString(),
        customerId: o.customerId.toHexString(),
      },
    ]);
  });
});
