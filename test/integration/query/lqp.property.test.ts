import { expect } from 'chai';
import fc from 'fast-check';
import type { LogicalQuery } from '../../../dataplane/src/query/lqp.js';
import { validateQuery } from '../../../dataplane/src/query/validate.js';
import { groupedQuery, logicalQuery } from './lqp.arbitraries.js';
import { CATALOG } from './sql-fixtures.js';
import { onBoth, run, useEngines } from './sql-harness.js';

/**
 * Property: every valid LQP compiles and runs on PostgreSQL and on MariaDB without error, the
 * two engines answer the same rows, and a keyset cursor leads to the same next page on both (cursors are per engine).
 */
function isValid(query: LogicalQuery): boolean {
  try {
    validateQuery(query, CATALOG);
    return true;
  } catch {
    return false;
  }
}

describe('LQP property: random valid queries run on PostgreSQL and MariaDB', function () {
  this.timeout(300_000);
  const engines = useEngines();

  async function sameOnBoth(query: LogicalQuery) {
    // Shrinking a chained arbitrary can drop a computed column a sort still names: not a valid LQP.
    fc.pre(isValid(query));
    const [pg, my] = await onBoth(engines, query);
    expect(my.rows, JSON.stringify(query)).to.deep.equal(pg.rows);
    expect([my.hasMore, my.nextCursor === null]).to.deep.equal([pg.hasMore, pg.nextCursor === null]);
    if (pg.nextCursor && query.pagination.mode === 'keyset') {
      const next = (cursor: string) => ({ ...query, pagination: { ...query.pagination, cursor } });
      const [pg2, my2] = await Promise.all([
        run(engines, 'postgres', next(pg.nextCursor)),
        run(engines, 'mysql', next(my.nextCursor as string)),
      ]);
      expect(my2.rows, JSON.stringify(query)).to.deep.equal(pg2.rows);
    }
  }

  it('row queries', async () => {
    await fc.assert(fc.asyncProperty(logicalQuery(engines.seed), sameOnBoth), { numRuns: 150 });
  });

  it('grouped queries', async () => {
    await fc.assert(fc.asyncProperty(groupedQuery(engines.seed), sameOnBoth), { numRuns: 60 });
  });
});
