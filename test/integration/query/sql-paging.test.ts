import { expect } from 'chai';
import { BadRequestError } from '../../../dataplane/src/platform/errors.js';
import {
  DIALECTS,
  fetchAllByKeyset,
  fetchAllByOffset,
  onBoth,
  run,
  useEngines,
  type Query,
} from './sql-harness.js';
import { oracle } from './sql-oracle.js';

/** Pagination (keyset and offset) and grouping on real PostgreSQL and MariaDB. */
const JOINS = [
  { table: 'customers', as: 'c', type: 'left', on: { left: 'customer_id', right: 'id' } },
  { table: 'countries', as: 'k', type: 'inner', on: { left: 'c.country_id', right: 'id' } },
];

describe('SQL compiler on PostgreSQL and MariaDB: pagination and grouping', function () {
  this.timeout(120_000);
  const engines = useEngines();
  const { seed } = engines;
  const ORDERS = { source: { table: 'orders' }, select: ['id'] };

  const orders: [string, Query][] = [
    ['the primary key only', ORDERS],
    ['a nullable text key, desc', { ...ORDERS, sorts: [{ field: 'status', direction: 'desc' }] }],
    [
      'mixed directions over nullable keys',
      {
        ...ORDERS,
        sorts: [{ field: 'paid', direction: 'asc' }, { field: 'due', direction: 'desc' }, { field: 'note' }],
      },
    ],
    ['instants with microsecond ties', { ...ORDERS, sorts: [{ field: 'shipped_at', direction: 'desc' }] }],
    [
      'numbers and uuids',
      {
        ...ORDERS,
        sorts: [
          { field: 'weight', direction: 'desc' },
          { field: 'price' },
          { field: 'ref', direction: 'desc' },
        ],
      },
    ],
    [
      'joined keys two hops away (tiebreakers from every table)',
      {
        ...ORDERS,
        select: ['id', 'c.id', 'k.name'],
        joins: JOINS,
        sorts: [{ field: 'k.name', direction: 'desc' }, { field: 'c.name' }],
      },
    ],
  ];

  for (const [title, query] of orders) {
    it(`keyset pages return each row exactly once, in order: ${title}`, async () => {
      const expected = oracle({ ...query, pagination: { mode: 'offset', limit: 1, offset: 0 } }, seed);
      for (const dialect of DIALECTS) {
        const rows = await fetchAllByKeyset(engines, dialect, query, 97);
        expect(rows, dialect).to.deep.equal(expected);
        expect(new Set(rows.map((r) => JSON.stringify(r))).size, dialect).to.equal(rows.length);
      }
    });

    it(`offset pages agree with keyset pages: ${title}`, async () => {
      const expected = oracle({ ...query, pagination: { mode: 'offset', limit: 1, offset: 0 } }, seed);
      for (const dialect of DIALECTS) {
        expect(await fetchAllByOffset(engines, dialect, query, 333), dialect).to.deep.equal(expected);
      }
    });
  }

  it('keyset over a composite text primary key orders by code point in both engines', async () => {
    const query = { source: { table: 'events' }, sorts: [{ field: 'v', direction: 'desc' }] };
    const expected = oracle({ ...query, pagination: { mode: 'offset', limit: 1, offset: 0 } }, seed);
    for (const dialect of DIALECTS)
      expect(await fetchAllByKeyset(engines, dialect, query, 13), dialect).to.deep.equal(expected);
  });

  it('keyset over a binary primary key (bytes order, hex in the cursor)', async () => {
    const query = { source: { table: 'tokens' }, sorts: [{ field: 'label', direction: 'desc' }] };
    const expected = oracle({ ...query, pagination: { mode: 'offset', limit: 1, offset: 0 } }, seed);
    for (const dialect of DIALECTS)
      expect(await fetchAllByKeyset(engines, dialect, query, 3), dialect).to.deep.equal(expected);
  });

  it('the last page has no cursor; hasMore is exact', async () => {
    for (const dialect of DIALECTS) {
      const exact = await run(engines, dialect, {
        ...ORDERS,
        filter: { field: 'id', op: 'lte', value: 10 },
        pagination: { mode: 'keyset', limit: 10 },
      });
      expect(exact.rows).to.have.length(10);
      expect(exact.nextCursor).to.equal(null);
      expect(exact.hasMore).to.equal(false);
    }
  });

  it('refuses forged cursors and cursors of another query with a 400', async () => {
    const first = await run(engines, 'postgres', {
      ...ORDERS,
      sorts: [{ field: 'qty' }],
      pagination: { mode: 'keyset', limit: 5 },
    });
    const forged = Buffer.from(JSON.stringify({ f: 'x', k: ["1' OR 1=1 --"] })).toString('base64url');
    for (const dialect of DIALECTS) {
      for (const cursor of [forged, 'garbage', first.nextCursor as string]) {
        const query = {
          ...ORDERS,
          sorts: [{ field: 'price' }],
          pagination: { mode: 'keyset', limit: 5, cursor },
        };
        const error = await run(engines, dialect, query).catch((e: unknown) => e);
        expect(error, `${dialect} ${cursor}`).to.be.instanceOf(BadRequestError);
      }
    }
  });

  it('groups with every aggregate, identically and exactly (case and trailing spaces are distinct groups)', async () => {
    const query = {
      source: { table: 'orders' },
      groupBy: {
        fields: ['status'],
        aggregates: [
          { fn: 'count', as: 'rows' },
          { fn: 'count', field: 'qty', as: 'withQty' },
          { fn: 'countDistinct', field: 'note', as: 'notes' },
          { fn: 'sum', field: 'qty', as: 'qty' },
          { fn: 'avg', field: 'price', as: 'avgPrice' },
          { fn: 'min', field: 'note', as: 'firstNote' },
          { fn: 'max', field: 'due', as: 'lastDue' },
        ],
      },
      sorts: [{ field: 'rows', direction: 'desc' }],
      pagination: { mode: 'offset', limit: 100, offset: 0 },
    };
    const [pg, my] = await onBoth(engines, query);
    expect(pg.rows).to.deep.equal(my.rows);
    expect(pg.rows).to.have.length(10);
    for (const status of ['open', 'Open', 'OPEN ', '', null]) {
      const rows = seed.orders.filter((o) => o.status === status);
      const prices = rows.map((o) => o.price).filter((p): p is number => p !== null);
      const cents = prices.reduce((s, p) => s + Math.round(p * 100), 0);
      const group = pg.rows.find((r) => r.status === status);
      expect(group, String(status)).to.include({
        rows: rows.length,
        withQty: rows.filter((o) => o.qty !== null).length,
        qty: rows.reduce((s, o) => s + (o.qty === null ? 0 : Number(o.qty)), 0),
        avgPrice: Math.round((cents / prices.length) * 1e8) / 1e10,
      });
    }
  });

  it('pages through groups with keyset cursors (boolean, date and joined group keys)', async () => {
    const query = {
      source: { table: 'orders' },
      joins: JOINS,
      groupBy: {
        fields: ['paid', 'due', 'k.name'],
        aggregates: [
          { fn: 'count', as: 'n' },
          { fn: 'sum', field: 'price', as: 'total' },
        ],
      },
      sorts: [{ field: 'n', direction: 'desc' }],
    };
    const [pg, my] = await Promise.all([
      fetchAllByKeyset(engines, 'postgres', query, 50),
      fetchAllByKeyset(engines, 'mysql', query, 50),
    ]);
    expect(pg).to.deep.equal(my);
    const all = await fetchAllByOffset(engines, 'postgres', query, 1000);
    expect(pg).to.deep.equal(all);
    expect(pg.reduce((s, r) => s + Number(r.n), 0)).to.equal(
      oracle(
        {
          ...query,
          groupBy: undefined,
          sorts: undefined,
          select: ['id'],
          pagination: { mode: 'offset', limit: 1, offset: 0 },
        },
        seed,
      ).length,
    );
  });

  it('aggregates without group fields answer one row, also over no rows', async () => {
    for (const filter of [undefined, { field: 'id', op: 'lt', value: 0 }]) {
      const query = {
        source: { table: 'orders' },
        filter,
        groupBy: {
          fields: [],
          aggregates: [
            { fn: 'count', as: 'n' },
            { fn: 'avg', field: 'qty', as: 'avg' },
          ],
        },
        pagination: { mode: 'keyset', limit: 10 },
      };
      const [pg, my] = await onBoth(engines, query);
      expect(pg).to.deep.equal(my);
      expect(pg.rows).to.have.length(1);
      expect(pg.rows[0]!.n).to.equal(filter ? 0 : 2000);
    }
  });

  it('computed columns filter, sort and page identically (keyset over a formula key)', async () => {
    const query = {
      source: { table: 'orders' },
      select: ['id', 'double_qty', 'label'],
      computedColumns: [
        { name: 'double_qty', formula: '{qty} * 2' },
        { name: 'label', formula: 'CONCAT({status}, "/", {note})' },
      ],
      filter: { field: 'double_qty', op: 'gt', value: 100 },
      sorts: [{ field: 'label', direction: 'desc' }],
    };
    const [pg, my] = await Promise.all([
      fetchAllByKeyset(engines, 'postgres', query, 37),
      fetchAllByKeyset(engines, 'mysql', query, 37),
    ]);
    expect(my).to.deep.equal(pg);
    const expected = seed.orders.filter((o) => o.qty !== null && Number(o.qty) * 2 > 100);
    expect(pg.map((r) => r.id)).to.have.members(expected.map((o) => o.id));
    for (const row of pg)
      expect(row.double_qty).to.equal(Number(expected.find((o) => o.id === row.id)!.qty) * 2);
    const labels = pg.map((r) => String(r.label));
    const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(b), Buffer.from(a));
    expect(labels).to.deep.equal([...labels].sort(byCodePoint));
  });
});
