import { expect } from 'chai';
import type { ConnectionSettings, IDatabaseAdapter } from '../../../dataplane/src/adapters/adapter.js';
import type { LogicalQuery } from '../../../dataplane/src/query/lqp.js';
import { ValidationError } from '../../../dataplane/src/platform/errors.js';

/** One SQL source seeded with the CRM fixture (people, companies) of pg-fixture / mysql-fixture. */
export interface SqlTarget {
  adapter(overrides?: Partial<ConnectionSettings>): IDatabaseAdapter;
  /** Where people and companies live (`crm` on Postgres; the connection's database on MySQL). */
  schema: string | undefined;
  /** Runs setup SQL as the administrator. */
  exec(sql: string): Promise<void>;
  /** Seeds `big (id, bucket, label)` with 100 000 rows, bucket = id % 7. */
  seedBig(): Promise<void>;
  teardown(): Promise<void>;
}

/** The same LQP behaviour, asserted against every SQL adapter. */
export function describeLogicalQueries(name: string, setup: () => Promise<SqlTarget>): void {
  describe(`LQP through the ${name} adapter`, () => {
    let target: SqlTarget;
    let adapter: IDatabaseAdapter;
    const adapters: IDatabaseAdapter[] = [];
    const make = (overrides?: Partial<ConnectionSettings>) => {
      const made = target.adapter(overrides);
      adapters.push(made);
      return made;
    };
    const people = (extra: Partial<LogicalQuery>): LogicalQuery => ({
      source: { table: 'people', ...(target.schema ? { schema: target.schema } : {}) },
      pagination: { mode: 'keyset', limit: 100 },
      ...extra,
    });
    const companyJoin = (type: 'inner' | 'left') => ({
      table: 'companies',
      ...(target.schema ? { schema: target.schema } : {}),
      as: 'c',
      type,
      on: { left: 'company_id', right: 'id' },
    });
    before(async () => {
      target = await setup();
      adapter = make();
    });
    after(async () => {
      for (const a of adapters) await a.disconnect();
      await target.teardown();
    });

    it('joins, filters, sorts by code point and pages with a keyset cursor', async () => {
      const query = people({
        select: ['full_name', 'email', 'c.name'],
        joins: [companyJoin('inner')],
        filter: { field: 'score', op: 'gte', value: 50 },
        sorts: [{ field: 'full_name', direction: 'asc' }],
        pagination: { mode: 'keyset', limit: 2 },
      });
      const first = await adapter.executeLogicalQuery(query);
      expect(first.rows).to.deep.equal([
        { full_name: 'Ada Lovelace', email: 'ada@acme.test', 'c.name': 'Acme' },
        { full_name: 'Jürgen Groß', email: 'juergen@zoe.test', 'c.name': 'Zoë Ünïcødé GmbH' },
      ]);
      expect(first.nextCursor).to.be.a('string');
      const second = await adapter.executeLogicalQuery({
        ...query,
        pagination: { mode: 'keyset', limit: 2, cursor: first.nextCursor as string },
      });
      expect(second.rows).to.deep.equal([
        { full_name: '山田 太郎', email: 'taro@tokyo.test', 'c.name': '東京商事 🚀' },
      ]);
      expect(second.nextCursor).to.equal(null);
    });

    it('keeps rows without a match in a left join, with nulls', async () => {
      const { rows } = await adapter.executeLogicalQuery(
        people({
          select: ['full_name', 'c.country'],
          joins: [companyJoin('left')],
          filter: {
            or: [
              { field: 'c.name', op: 'isEmpty' },
              { field: 'email', op: 'isEmpty' },
            ],
          },
          sorts: [{ field: 'id' }],
        }),
      );
      expect(rows).to.deep.equal([
        { full_name: 'Bob Null', 'c.country': 'US' },
        { full_name: 'Freelancer Ω', 'c.country': null },
      ]);
    });

    it('groups with aggregates', async () => {
      const { rows } = await adapter.executeLogicalQuery(
        people({
          joins: [companyJoin('inner')],
          groupBy: { fields: ['c.country'], aggregates: [{ fn: 'count', as: 'people' }] },
          sorts: [{ field: 'c.country' }],
        }),
      );
      expect(rows).to.deep.equal([
        { 'c.country': 'DE', people: 1 },
        { 'c.country': 'JP', people: 1 },
        { 'c.country': 'US', people: 2 },
      ]);
    });

    it('explains what ran in the source', async () => {
      const result = await adapter.executeLogicalQuery(
        people({
          select: ['full_name'],
          joins: [companyJoin('inner')],
          filter: { field: 'id', op: 'in', value: [1] },
        }),
        { explain: true },
      );
      expect(result.rows).to.deep.equal([{ full_name: 'Ada Lovelace' }]);
      expect(result.explain?.target).to.equal(name === 'PostgreSQL' ? 'postgres' : 'mysql');
      expect(result.explain?.compiled).to.be.a('string').and.match(/JOIN/);
      expect(result.explain?.pushedDown).to.include.members(['joins', 'filter']);
      expect(result.explain?.inProcess).to.deep.equal([]);
    });

    it('answers 422 for a field the table does not have', async () => {
      const error = await adapter
        .executeLogicalQuery(people({ filter: { field: 'nope', op: 'eq', value: 1 } }))
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ValidationError);
    });

    it('runs on a read-only connection', async () => {
      const { rows } = await make({ readOnly: true }).executeLogicalQuery(
        people({ select: ['full_name'], filter: { field: 'active', op: 'eq', value: false } }),
      );
      expect(rows).to.deep.equal([{ full_name: 'Jürgen Groß' }]);
    });

    it('lowers the page size to the row cap; the cursor pages on', async () => {
      const capped = make({ rowCap: 2 });
      const query = people({
        select: ['id'],
        sorts: [{ field: 'id' }],
        pagination: { mode: 'keyset', limit: 100 },
      });
      const first = await capped.executeLogicalQuery(query);
      expect(first.rows).to.deep.equal([{ id: 1 }, { id: 2 }]);
      const second = await capped.executeLogicalQuery({
        ...query,
        pagination: { mode: 'keyset', limit: 100, cursor: first.nextCursor as string },
      });
      expect(second.rows).to.deep.equal([{ id: 3 }, { id: 4 }]);
    });

    it('sees a table created after the catalog was cached', async () => {
      await adapter.executeLogicalQuery(people({ select: ['id'] }));
      await target.exec('CREATE TABLE late_arrival (id int PRIMARY KEY, note varchar(20))');
      await target.exec("INSERT INTO late_arrival VALUES (1, 'hello')");
      const { rows } = await adapter.executeLogicalQuery({
        source: { table: 'late_arrival' },
        pagination: { mode: 'offset', limit: 10, offset: 0 },
      });
      expect(rows).to.deep.equal([{ id: 1, note: 'hello' }]);
    });

    it('walks a 100k-row table with keyset pagination, in order, without gaps or repeats', async () => {
      await target.seedBig();
      const query: LogicalQuery = {
        source: { table: 'big' },
        select: ['id', 'bucket'],
        filter: { field: 'bucket', op: 'neq', value: 3 },
        sorts: [{ field: 'bucket', direction: 'desc' }],
        pagination: { mode: 'keyset', limit: 1000 },
      };
      let cursor: string | null | undefined;
      let pages = 0;
      let previous: [number, number] = [Infinity, 0];
      let count = 0;
      do {
        const page = await adapter.executeLogicalQuery({
          ...query,
          pagination: { mode: 'keyset', limit: 1000, ...(cursor ? { cursor } : {}) },
        });
        for (const row of page.rows) {
          const current: [number, number] = [row.bucket as number, row.id as number];
          const ordered =
            current[0] < previous[0] || (current[0] === previous[0] && current[1] > previous[1]);
          if (!ordered) expect.fail(`row ${JSON.stringify(row)} after ${JSON.stringify(previous)}`);
          previous = current;
        }
        count += page.rows.length;
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      const expected = 100_000 - Math.floor((100_000 - 3) / 7) - 1;
      expect(count).to.equal(expected);
      expect(pages).to.equal(Math.ceil(expected / 1000));
    });
  });
}
