import { expect } from 'chai';
import { TableCache } from '../../../dataplane/src/services/tables/table-cache.js';
import { RowsService } from '../../../dataplane/src/services/rows/rows.service.js';
import { transactionRunner } from '../../../dataplane/src/services/unit-of-work.js';
import type { WorkspaceAccess } from '../../../dataplane/src/services/workspaces/workspace-access.js';
import { Workspace } from '../../../dataplane/src/store/models/workspace.model.js';
import { physicalColumn, physicalTable, startMiniDb, type MiniDb, type TableBody } from './minidb-fixture.js';

describe('mini-DB: counts never stall a big table', () => {
  let db: MiniDb;
  let table: TableBody;
  before(async () => {
    db = await startMiniDb();
    table = await db.as(db.owner).table({ name: 'Big', columns: [{ name: 'N', type: 'integer' }] });
    await db.app.dataplane.knex.raw(
      'INSERT INTO ??.?? (id, ??) SELECT gen_random_uuid(), g FROM generate_series(1, 300000) g',
      [db.schema, physicalTable(table.id), physicalColumn(table.columns[0]!.id)],
    );
    await db.app.dataplane.knex.raw('ANALYZE ??.??', [db.schema, physicalTable(table.id)]);
  });
  after(() => db.stop());

  it('estimates from the planner, counts exactly within the cap, and answers null past it', async () => {
    const owner = db.as(db.owner);
    const path = `/api/v1/tables/${table.id}/rows?limit=1`;
    const filter = encodeURIComponent(JSON.stringify({ field: 'N', op: 'lte', value: 150000 }));
    const estimate = await owner.get(`${path}&count=estimate&filter=${filter}`);
    expect(estimate.body.countKind).to.equal('estimate');
    expect(estimate.body.count).to.be.within(100_000, 200_000); // statistics, not a scan
    const exact = await owner.get(`${path}&count=exact&filter=${filter}`);
    expect(exact.body).to.include({ count: 150_000, countKind: 'exact' });

    // The same service with a cap the count cannot meet: the page still answers, the count is null.
    const knex = db.app.dataplane.knex;
    const tx = transactionRunner(knex, db.app.dataplane.bus, db.app.dataplane.log);
    const rows = new RowsService(knex, tx, new TableCache(knex), { exactCountTimeoutMs: 1 });
    const workspace = await Workspace.query(knex).findById(db.workspaceId);
    const access = { workspace, role: 'owner' } as WorkspaceAccess;
    const page = await rows.list(access, table.id, { limit: 1 }, 'exact', 'name');
    expect(page.data).to.have.length(1);
    expect(page).to.include({ count: null, countKind: 'exact' });
  });
});
