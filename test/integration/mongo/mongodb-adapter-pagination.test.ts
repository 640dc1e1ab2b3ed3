import { expect } from 'chai';
import type { Document } from 'mongodb';
import type { MongoAdapter } from '../../../dataplane/src/adapters/mongodb/mongodb.adapter.js';
import type { LogicalQuery, Sort } from '../../../dataplane/src/query/lqp.js';
import { CUSTOMERS, get, ORDERS, startAdapterHarness, type AdapterHarness } from './adapter-harness.js';

/**
 * Keyset pagination returns every row exactly once, in the order the SQL sources use (NULLs last
 * in both directions, `_id` tiebreakers), across nulls, missing fields, nested paths and joins.
 */
type Key = (doc: Document) => unknown;

/** The reference order: keys in turn (NULLs last), then `_id`. */
function ordered(docs: Document[], keys: [Key, 'asc' | 'desc'][]): Document[] {
  const cmp = (a: unknown, b: unknown) => {
    if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
    return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  };
  return [...docs].sort((x, y) => {
    for (const [key, direction] of keys) {
      const [a, b] = [key(x) ?? null, key(y) ?? null];
      if (a === null || b === null) {
        if (a !== b) return a === null ? 1 : -1;
        continue;
      }
      const c = cmp(a, b);
      if (c !== 0) return direction === 'asc' ? c : -c;
    }
    return cmp(x._id.toHexString(), y._id.toHexString());
  });
}

describe('MongoDB adapter: keyset and offset pagination', () => {
  let h: AdapterHarness;
  let adapter: MongoAdapter;

  before(async () => {
    h = await startAdapterHarness();
    adapter = h.adapter();
  });

  after(() => h.close());

  async function allPages(query: Omit<LogicalQuery, 'pagination'>, limit: number) {
    const rows: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const result = await adapter.executeLogicalQuery({
        ...query,
        pagination: { mode: 'keyset', limit, ...(cursor ? { cursor } : {}) },
      });
      expect(result.rows.length).to.be.at.most(limit);
      expect(result.hasMore).to.equal(result.nextCursor !== null);
      rows.push(...result.rows);
      cursor = result.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 200);
    return { rows, pages };
  }

  const SORTS: [string, Sort[], [Key, 'asc' | 'desc'][]][] = [
    ['a nullable number, descending', [{ field: 'total', direction: 'desc' }], [[(d) => d.total, 'desc']]],
    ['a nullable number, ascending', [{ field: 'total' }], [[(d) => d.total, 'asc']]],
    ['text with empty, null and missing values', [{ field: 'status' }], [[(d) => d.status, 'asc']]],
    [
      'a nested path, then a date descending',
      [{ field: 'shipping.city' }, { field: 'createdAt', direction: 'desc' }],
      [
        [(d) => get(d, 'shipping.city'), 'asc'],
        [(d) => d.createdAt, 'desc'],
      ],
    ],
    ['the _id alone', [], []],
  ];

  for (const [name, sorts, keys] of SORTS) {
    it(`returns each document exactly once: ${name}`, async () => {
      const { rows, pages } = await allPages({ source: { table: 'orders' }, select: ['i'], sorts }, 37);
      expect(pages).to.equal(Math.ceil(1000 / 37));
      expect(rows.map((r) => r.i)).to.deep.equal(ordered(ORDERS, keys).map((d) => d.i));
    });
  }

  it('pages a join whose rows repeat the source documents (tiebreakers on both _ids)', async () => {
    const { rows } = await allPages(
      {
        source: { table: 'customers' },
        select: ['name', 'o.i'],
        joins: [{ table: 'orders', as: 'o', on: { left: '_id', right: 'customerId' } }],
        sorts: [{ field: 'name', direction: 'desc' }],
      },
      150,
    );
    const expected = ordered(CUSTOMERS, [[(c) => c.name, 'desc']]).flatMap((c) =>
      ordered(
        ORDERS.filter((o) => o.customerId?.equals(c._id)),
        [],
      ).map((o) => ({ name: c.name, 'o.i': o.i })),
    );
    expect(rows).to.deep.equal(expected);
  });

  it('pages groups by keyset', async () => {
    const { rows } = await allPages(
      {
        source: { table: 'orders' },
        groupBy: { fields: ['shipping.city'], aggregates: [{ fn: 'count', as: 'n' }] },
        sorts: [{ field: 'n', direction: 'desc' }],
      },
      3,
    );
    const counts = new Map<unknown, number>();
    for (const o of ORDERS)
      counts.set(get(o, 'shipping.city') ?? null, (counts.get(get(o, 'shipping.city') ?? null) ?? 0) + 1);
    expect(rows).to.have.length(counts.size);
    expect(new Map(rows.map((r) => [r['shipping.city'], r.n]))).to.deep.equal(counts);
    expect(rows.map((r) => r.n)).to.deep.equal([...counts.values()].sort((a, b) => b - a));
  });

  it('pages by offset', async () => {
    const seen: unknown[] = [];
    for (let offset = 0; offset < 1000; offset += 100) {
      const result = await adapter.executeLogicalQuery({
        source: { table: 'orders' },
        select: ['i'],
        sorts: [{ field: 'qty' }],
        pagination: { mode: 'offset', limit: 100, offset },
      });
      expect(result.nextCursor).to.equal(null);
      expect(result.hasMore).to.equal(offset < 900);
      seen.push(...result.rows.map((r) => r.i));
    }
    expect(seen).to.deep.equal(ordered(ORDERS, [[(d) => d.qty, 'asc']]).map((d) => d.i));
  });

  it('caps a page at the row cap and continues after it', async () => {
    const capped = h.adapter({ rowCap: 7 });
    const first = await capped.executeLogicalQuery({
      source: { table: 'orders' },
      select: ['i'],
      sorts: [{ field: 'i' }],
      pagination: { mode: 'keyset', limit: 100 },
    });
    expect(first.rows.map((r) => r.i)).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    const next = await capped.executeLogicalQuery({
      source: { table: 'orders' },
      select: ['i'],
      sorts: [{ field: 'i' }],
      pagination: { mode: 'keyset', limit: 100, cursor: first.nextCursor! },
    });
    expect(next.rows[0]!.i).to.equal(7);
  });

  it('refuses a cursor issued for another sort with 400', async () => {
    const { nextCursor } = await adapter.executeLogicalQuery({
      source: { table: 'orders' },
      sorts: [{ field: 'qty' }],
      pagination: { mode: 'keyset', limit: 5 },
    });
    const error = await adapter
      .executeLogicalQuery({
        source: { table: 'orders' },
        sorts: [{ field: 'total' }],
        pagination: { mode: 'keyset', limit: 5, cursor: nextCursor! },
      })
      .catch((e: unknown) => e);
    expect(error).to.include({ status: 400, code: 'invalid_cursor' });
  });
});
