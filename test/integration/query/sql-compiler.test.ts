import { expect } from 'chai';
import type { Filter } from '../../../dataplane/src/query/lqp.js';
import { DIALECTS, fetchAllByOffset, onBoth, run, useEngines, type Query } from './sql-harness.js';
import { oracle } from './sql-oracle.js';

/**
 * The behavioural suite of the SQL compilers, run on real PostgreSQL and MariaDB over the same
 * seed: every operator and sort against an in-memory oracle of the documented semantics, so
 * both engines answer identically and as documented.
 */
const TWO_HOPS = [
  { table: 'customers', as: 'c', type: 'left', on: { left: 'customer_id', right: 'id' } },
  { table: 'countries', as: 'k', type: 'left', on: { left: 'c.country_id', right: 'id' } },
];

describe('SQL compiler on PostgreSQL and MariaDB: filters and sorts', function () {
  this.timeout(60_000);
  const engines = useEngines();
  const { seed } = engines;
  const someDue = seed.orders.find((o) => o.due !== null && String(o.due) < '2024')!.due as string;
  const someShipped = new Date(
    seed.orders.find((o) => o.shipped_at !== null)!.shipped_at as string,
  ).toISOString();
  const someRef = seed.orders.find((o) => o.ref !== null)!.ref as string;
  const later = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();

  const cases: [string, Filter][] = [
    ['text eq is exact (case, accents, trailing spaces)', { field: 'status', op: 'eq', value: 'open' }],
    ['text eq with unicode', { field: 'status', op: 'eq', value: 'café' }],
    ['text neq keeps NULLs', { field: 'status', op: 'neq', value: 'open' }],
    ['text lt by code point', { field: 'status', op: 'lt', value: 'open' }],
    ['text lte', { field: 'status', op: 'lte', value: 'Open' }],
    ['text gt', { field: 'status', op: 'gt', value: 'OPEN' }],
    ['text gte', { field: 'note', op: 'gte', value: 'ü' }],
    ['text between', { field: 'note', op: 'between', value: ['a', 'z'] }],
    ['text in', { field: 'status', op: 'in', value: ['open', 'pending', ''] }],
    ['text nin keeps NULLs', { field: 'status', op: 'nin', value: ['open', 'pending', ''] }],
    ['contains is case-insensitive', { field: 'status', op: 'contains', value: 'CAF' }],
    ['contains unicode case-insensitively', { field: 'note', op: 'contains', value: 'über' }],
    ['contains % literally', { field: 'note', op: 'contains', value: '%' }],
    ['contains _ literally', { field: 'note', op: 'contains', value: '_' }],
    ['contains the escape character literally', { field: 'note', op: 'contains', value: '!' }],
    ['contains a backslash', { field: 'note', op: 'contains', value: '\\' }],
    ['contains a quote', { field: 'note', op: 'contains', value: "'" }],
    ['contains an emoji', { field: 'note', op: 'contains', value: '😀' }],
    ['ncontains keeps NULLs', { field: 'note', op: 'ncontains', value: 'o' }],
    ['startsWith', { field: 'note', op: 'startsWith', value: 'Ü' }],
    ['endsWith', { field: 'note', op: 'endsWith', value: '--' }],
    ['isEmpty text is NULL or empty', { field: 'status', op: 'isEmpty' }],
    ['isNotEmpty text', { field: 'c.email', op: 'isNotEmpty' }],
    ['integer eq', { field: 'qty', op: 'eq', value: 5 }],
    ['integer neq keeps NULLs', { field: 'qty', op: 'neq', value: 5 }],
    ['integer lt', { field: 'qty', op: 'lt', value: 0 }],
    ['integer between', { field: 'qty', op: 'between', value: [10, 20] }],
    ['integer in', { field: 'qty', op: 'in', value: [1, 2, 3] }],
    ['integer nin', { field: 'qty', op: 'nin', value: [1, 2, 3] }],
    ['integer isEmpty', { field: 'qty', op: 'isEmpty' }],
    ['decimal gte', { field: 'price', op: 'gte', value: 1000.5 }],
    ['decimal lte negative', { field: 'price', op: 'lte', value: -0.01 }],
    ['double eq', { field: 'weight', op: 'eq', value: 0.1 }],
    ['double lt tiny', { field: 'weight', op: 'lt', value: 1e-6 }],
    ['boolean eq true (TINYINT 2 is true)', { field: 'paid', op: 'eq', value: true }],
    ['boolean eq false', { field: 'paid', op: 'eq', value: false }],
    ['boolean neq true keeps NULLs', { field: 'paid', op: 'neq', value: true }],
    ['boolean in', { field: 'paid', op: 'in', value: [true] }],
    ['boolean isEmpty', { field: 'paid', op: 'isEmpty' }],
    ['date eq', { field: 'due', op: 'eq', value: someDue }],
    ['date lt', { field: 'due', op: 'lt', value: '2023-06-01' }],
    ['date between', { field: 'due', op: 'between', value: ['2023-03-01', '2023-09-30'] }],
    ['date isToday', { field: 'due', op: 'isToday' }],
    ['date isPast', { field: 'due', op: 'isPast' }],
    ['date isFuture', { field: 'due', op: 'isFuture' }],
    ['date inLastDays', { field: 'due', op: 'inLastDays', value: 7 }],
    ['date inNextDays', { field: 'due', op: 'inNextDays', value: 10 }],
    ['datetime gt', { field: 'shipped_at', op: 'gt', value: someShipped }],
    ['datetime between', { field: 'shipped_at', op: 'between', value: [someShipped, later(someShipped, 5)] }],
    ['datetime with an offset', { field: 'shipped_at', op: 'lt', value: '2030-01-01T02:00:00+02:00' }],
    ['datetime isToday', { field: 'shipped_at', op: 'isToday' }],
    ['datetime isPast', { field: 'shipped_at', op: 'isPast' }],
    ['datetime isFuture', { field: 'shipped_at', op: 'isFuture' }],
    ['datetime inLastDays', { field: 'shipped_at', op: 'inLastDays', value: 7 }],
    ['datetime inNextDays', { field: 'shipped_at', op: 'inNextDays', value: 3 }],
    ['uuid eq', { field: 'ref', op: 'eq', value: someRef.toUpperCase() }],
    ['uuid nin keeps NULLs', { field: 'ref', op: 'nin', value: [someRef] }],
    ['uuid isEmpty', { field: 'ref', op: 'isEmpty' }],
    ['not is the exact complement', { not: { field: 'qty', op: 'gt', value: 50 } }],
    [
      'not of a conjunction',
      {
        not: {
          and: [
            { field: 'paid', op: 'eq', value: true },
            { field: 'status', op: 'eq', value: 'open' },
          ],
        },
      },
    ],
    [
      'or of and',
      {
        or: [
          {
            and: [
              { field: 'qty', op: 'lt', value: 3 },
              { field: 'paid', op: 'eq', value: true },
            ],
          },
          { field: 'note', op: 'isEmpty' },
        ],
      },
    ],
    ['empty and matches everything', { and: [] }],
    ['empty or matches nothing', { or: [] }],
    ['in [] matches nothing', { field: 'qty', op: 'in', value: [] }],
    ['hostile text is only data', { field: 'note', op: 'eq', value: '; DROP TABLE orders; --' }],
    ['joined field (one hop)', { field: 'c.name', op: 'in', value: ['Anna', "O'Brien", 'Zoë'] }],
    ['joined field (two hops)', { field: 'k.code', op: 'in', value: ['AT', 'ES', 'JP'] }],
    ['joined field is NULL when the left join finds nothing', { field: 'k.name', op: 'isEmpty' }],
  ];

  for (const [title, filter] of cases) {
    it(title, async () => {
      const query: Query = {
        source: { table: 'orders' },
        select: ['id', 'status', 'c.name', 'k.code'],
        joins: TWO_HOPS,
        filter,
      };
      const expected = oracle({ ...query, pagination: { mode: 'offset', limit: 1, offset: 0 } }, seed);
      for (const dialect of DIALECTS) {
        expect(await fetchAllByOffset(engines, dialect, query), dialect).to.deep.equal(expected);
      }
      expect(expected.length, 'a case should select some rows but not all').to.satisfy(
        (n: number) =>
          title.includes('everything') || title.includes('nothing') || (n > 0 && n < seed.orders.length),
      );
    });
  }

  const sorts: [string, Query['sorts']][] = [
    ['text asc by code point, NULLs last', [{ field: 'status', direction: 'asc' }]],
    ['text desc, NULLs still last', [{ field: 'status', direction: 'desc' }]],
    [
      'mixed directions over nullable keys',
      [
        { field: 'paid', direction: 'desc' },
        { field: 'due', direction: 'asc' },
        { field: 'price', direction: 'desc' },
      ],
    ],
    ['datetime desc with ties', [{ field: 'shipped_at', direction: 'desc' }]],
    [
      'joined text two hops away',
      [
        { field: 'k.name', direction: 'asc' },
        { field: 'c.name', direction: 'desc' },
      ],
    ],
    ['uuid', [{ field: 'ref', direction: 'asc' }]],
  ];
  for (const [title, order] of sorts) {
    it(`sorts: ${title}`, async () => {
      const query: Query = {
        source: { table: 'orders' },
        select: ['id', 'status', 'paid', 'due', 'price', 'shipped_at', 'ref', 'c.name', 'k.name'],
        joins: TWO_HOPS,
        sorts: order,
      };
      const expected = oracle({ ...query, pagination: { mode: 'offset', limit: 1, offset: 0 } }, seed);
      for (const dialect of DIALECTS) {
        expect(await fetchAllByOffset(engines, dialect, query, 700), dialect).to.deep.equal(expected);
      }
    });
  }

  it('selects every source column by default, values normalised the same in both engines', async () => {
    const query = { source: { table: 'orders' }, pagination: { mode: 'offset', limit: 1000, offset: 500 } };
    const [pg, my] = await onBoth(engines, query);
    expect(pg).to.deep.equal(my);
    expect(pg.rows).to.deep.equal(oracle(query, seed).slice(500, 1500));
    expect(pg.hasMore).to.equal(true);
  });

  it('quotes awkward catalog identifiers (quotes, backticks, dots, keywords, " as ")', async () => {
    const query = {
      source: { table: 'odd "table"' },
      filter: { field: 'we"ird', op: 'neq', value: 'w1"' },
      sorts: [{ field: 'dot.ted', direction: 'desc' }],
      pagination: { mode: 'keyset', limit: 2 },
    };
    for (const dialect of DIALECTS) {
      const page = await run(engines, dialect, query);
      expect(page.rows, dialect).to.deep.equal(oracle(query, seed).slice(0, 2));
      const next = await run(engines, dialect, {
        ...query,
        pagination: { mode: 'keyset', limit: 5, cursor: page.nextCursor },
      });
      expect(
        next.rows.map((r) => r.id),
        dialect,
      ).to.deep.equal([3, 1]);
    }
  });
});
