import { expect } from 'chai';
import { catalogOf } from '../../../../dataplane/src/query/catalog.js';
import type { LogicalQuery } from '../../../../dataplane/src/query/lqp.js';
import { StatementCache } from '../../../../dataplane/src/query/sql/statement-cache.js';
import { ValidationError } from '../../../../dataplane/src/platform/errors.js';
import { UNIT_CATALOG, UNIT_TABLES } from './unit-catalog.js';

const byStatus = (status: unknown): LogicalQuery =>
  ({
    source: { table: 'orders' },
    select: ['id', 'status'],
    filter: { field: 'status', op: 'eq', value: status },
    pagination: { mode: 'keyset', limit: 10 },
  }) as LogicalQuery;

describe('StatementCache', () => {
  it('prepares an identical query once and binds each query its own values', () => {
    const cache = new StatementCache('postgres');
    const first = cache.prepare(byStatus('paid'), UNIT_CATALOG);
    expect(cache.prepare(byStatus('paid'), UNIT_CATALOG)).to.equal(first);
    const other = cache.prepare(byStatus('new'), UNIT_CATALOG);
    expect(other).not.to.equal(first);
    expect(first.bindings).to.deep.equal(['paid', 11]);
    expect(other.bindings).to.deep.equal(['new', 11]);
    expect(other.sql).to.equal(first.sql);
  });

  it('starts over for a new catalog (a fresh discovery)', () => {
    const cache = new StatementCache('postgres');
    const first = cache.prepare(byStatus('paid'), UNIT_CATALOG);
    const again = cache.prepare(byStatus('paid'), catalogOf(UNIT_TABLES));
    expect(again).not.to.equal(first);
    expect(cache.size).to.equal(1);
  });

  it('keeps the most recently used entries up to its size', () => {
    const cache = new StatementCache('postgres', 2);
    const a = cache.prepare(byStatus('a'), UNIT_CATALOG);
    cache.prepare(byStatus('b'), UNIT_CATALOG);
    cache.prepare(byStatus('a'), UNIT_CATALOG); // a is now the most recent
    cache.prepare(byStatus('c'), UNIT_CATALOG); // evicts b
    expect(cache.size).to.equal(2);
    expect(cache.prepare(byStatus('a'), UNIT_CATALOG)).to.equal(a);
  });

  it('never answers an invalid query from the cache: the validator sees every one', () => {
    const cache = new StatementCache('postgres');
    cache.prepare(byStatus('x'), UNIT_CATALOG);
    expect(() => cache.prepare(byStatus(42), UNIT_CATALOG)).to.throw(ValidationError);
    expect(() => cache.prepare(byStatus(42), UNIT_CATALOG)).to.throw(ValidationError);
    expect(cache.size).to.equal(1);
  });

  it('does not key values JSON would blur (a Date is written as its text): they reach the validator', () => {
    const cache = new StatementCache('postgres');
    const instant = '2024-01-02T03:04:05.000Z';
    const valid = {
      source: { table: 'orders' },
      select: ['id'],
      filter: { field: 'shipped_at', op: 'eq', value: instant },
      pagination: { mode: 'keyset', limit: 10 },
    } as LogicalQuery;
    cache.prepare(valid, UNIT_CATALOG);
    const asDate = { ...valid, filter: { field: 'shipped_at', op: 'eq', value: new Date(instant) } } as never;
    expect(() => cache.prepare(asDate, UNIT_CATALOG)).to.throw(ValidationError);
    expect(cache.size).to.equal(1);
  });
});
