import { expect } from 'chai';
import type { Document, ObjectId } from 'mongodb';
import type { MongoAdapter } from '../../../dataplane/src/adapters/mongodb/mongodb.adapter.js';
import type { Filter } from '../../../dataplane/src/query/lqp.js';
import {
  CUSTOMERS,
  expectedIds,
  get,
  NOW,
  ORDERS,
  startAdapterHarness,
  type AdapterHarness,
} from './adapter-harness.js';

/**
 * Every filter operator through the adapter, checked against an in-memory reference with the
 * semantics the SQL sources share (null and missing alike; neq/nin/ncontains keep them).
 */
const DAY = 86_400_000;
const text = (v: unknown): v is string => typeof v === 'string';
const has = (v: unknown): boolean => v !== null && v !== undefined;
const time = (doc: Document) => (doc.createdAt as Date).getTime();
const lower = (v: unknown) => (text(v) ? v.toLowerCase() : undefined);

const CASES: [string, Filter, (doc: Document) => boolean][] = [
  ['eq', { field: 'status', op: 'eq', value: 'open' }, (d) => d.status === 'open'],
  ['neq keeps null and missing', { field: 'status', op: 'neq', value: 'open' }, (d) => d.status !== 'open'],
  ['lt', { field: 'total', op: 'lt', value: 20 }, (d) => has(d.total) && d.total < 20],
  ['lte', { field: 'qty', op: 'lte', value: 3 }, (d) => d.qty <= 3],
  ['gt', { field: 'total', op: 'gt', value: 90.5 }, (d) => has(d.total) && d.total > 90.5],
  ['gte on text', { field: 'status', op: 'gte', value: 'paid' }, (d) => text(d.status) && d.status >= 'paid'],
  [
    'in',
    { field: 'status', op: 'in', value: ['paid', 'shipped'] },
    (d) => ['paid', 'shipped'].includes(d.status),
  ],
  [
    'nin keeps null and missing',
    { field: 'status', op: 'nin', value: ['paid', ''] },
    (d) => !['paid', ''].includes(d.status),
  ],
  ['in empty list', { field: 'status', op: 'in', value: [] }, () => false],
  [
    'contains is case-insensitive',
    { field: 'status', op: 'contains', value: 'OPE' },
    (d) => lower(d.status)?.includes('ope') === true,
  ],
  [
    'contains metacharacters literally',
    { field: 'note', op: 'contains', value: '$5.00 *' },
    (d) => text(d.note) && d.note.includes('$5.00 *'),
  ],
  [
    'ncontains keeps null and missing',
    { field: 'note', op: 'ncontains', value: '(usd)' },
    (d) => !lower(d.note)?.includes('(usd)'),
  ],
  [
    'startsWith',
    { field: 'note', op: 'startsWith', value: '[BRACKETS]' },
    (d) => text(d.note) && d.note.startsWith('[brackets]'),
  ],
  [
    'endsWith',
    { field: 'note', op: 'endsWith', value: '^caret' },
    (d) => text(d.note) && d.note.endsWith('^caret'),
  ],
  ['endsWith is the very end', { field: 'note', op: 'endsWith', value: 'line1' }, () => false],
  ['isEmpty text', { field: 'status', op: 'isEmpty' }, (d) => !has(d.status) || d.status === ''],
  ['isNotEmpty text', { field: 'status', op: 'isNotEmpty' }, (d) => has(d.status) && d.status !== ''],
  ['isEmpty number', { field: 'total', op: 'isEmpty' }, (d) => !has(d.total)],
  ['isEmpty array', { field: 'tags', op: 'isEmpty' }, (d) => !has(d.tags) || d.tags.length === 0],
  ['isNotEmpty array', { field: 'tags', op: 'isNotEmpty' }, (d) => has(d.tags) && d.tags.length > 0],
  [
    'between',
    { field: 'total', op: 'between', value: [10, 20] },
    (d) => has(d.total) && d.total >= 10 && d.total <= 20,
  ],
  ['eq boolean', { field: 'paid', op: 'eq', value: true }, (d) => d.paid === true],
  [
    'eq ObjectId',
    { field: '_id', op: 'eq', value: (ORDERS[2]!._id as ObjectId).toHexString() },
    (d) => d.i === 2,
  ],
  [
    'in ObjectIds',
    { field: 'customerId', op: 'in', value: [(CUSTOMERS[3]!._id as ObjectId).toHexString()] },
    (d) => d.customerId?.equals(CUSTOMERS[3]!._id) === true,
  ],
  [
    'nested path',
    { field: 'shipping.city', op: 'eq', value: 'Zürich' },
    (d) => get(d, 'shipping.city') === 'Zürich',
  ],
  ['nested isEmpty', { field: 'shipping.city', op: 'isEmpty' }, (d) => !has(get(d, 'shipping.city'))],
  [
    'datetime gte',
    { field: 'createdAt', op: 'gte', value: '2024-06-15T00:00:00Z' },
    (d) => time(d) >= Date.parse('2024-06-15T00:00:00Z'),
  ],
  [
    'isToday',
    { field: 'createdAt', op: 'isToday' },
    (d) => new Date(time(d)).toISOString().slice(0, 10) === '2024-06-15',
  ],
  ['isPast', { field: 'createdAt', op: 'isPast' }, (d) => time(d) < NOW.getTime()],
  ['isFuture', { field: 'createdAt', op: 'isFuture' }, (d) => time(d) > NOW.getTime()],
  [
    'inLastDays',
    { field: 'createdAt', op: 'inLastDays', value: 3 },
    (d) => time(d) >= NOW.getTime() - 3 * DAY && time(d) <= NOW.getTime(),
  ],
  [
    'inNextDays',
    { field: 'createdAt', op: 'inNextDays', value: 2 },
    (d) => time(d) >= NOW.getTime() && time(d) <= NOW.getTime() + 2 * DAY,
  ],
  [
    'and/or/not',
    {
      or: [
        { field: 'paid', op: 'eq', value: true },
        {
          not: {
            and: [
              { field: 'qty', op: 'gt', value: 2 },
              { field: 'status', op: 'isNotEmpty' },
            ],
          },
        },
      ],
    },
    (d) => d.paid === true || !(d.qty > 2 && has(d.status) && d.status !== ''),
  ],
  ['empty or matches nothing', { or: [] }, () => false],
  ['empty and matches everything', { and: [] }, () => true],
];

describe('MongoDB adapter: every filter operator', () => {
  let h: AdapterHarness;
  let adapter: MongoAdapter;

  before(async () => {
    h = await startAdapterHarness();
    adapter = h.adapter();
  });

  after(() => h.close());

  for (const [name, filter, predicate] of CASES) {
    it(name, async () => {
      const { rows, nextCursor } = await adapter.executeLogicalQuery({
        source: { table: 'orders' },
        select: ['i'],
        filter,
        sorts: [{ field: 'i' }],
        pagination: { mode: 'keyset', limit: 1000 },
      });
      expect(nextCursor).to.equal(null);
      const expected = expectedIds(predicate);
      expect(rows.map((r) => r.i)).to.deep.equal(expected);
      expect(expected.length, 'the case selects something to compare').to.satisfy(
        (n: number) => n > 0 || /nothing|empty list|very end/.test(name),
      );
    });
  }

  it('refuses a value of the wrong type and an unknown field with 422', async () => {
    for (const filter of [
      { field: 'total', op: 'gt', value: '5' },
      { field: 'nope', op: 'eq', value: 1 },
      { field: 'status', op: 'eq', value: { $gt: '' } },
      { field: '$where', op: 'eq', value: 'sleep(1000)' },
    ] as Filter[]) {
      const error = await adapter
        .executeLogicalQuery({
          source: { table: 'orders' },
          filter,
          pagination: { mode: 'keyset', limit: 10 },
        })
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(filter)).to.have.property('status', 422);
    }
  });
});
