import { expect } from 'chai';
import type { DomainEvent } from '../../../dataplane/src/platform/event-bus.js';
import { purgeTrashedColumns } from '../../../dataplane/src/services/tables/trash-purge.js';
import { batchRevertHelpers, type BatchChange, type IgnoredEntry } from './batch-revert-fixture.js';
import { startMiniDb, type MiniDb, type User } from './minidb-fixture.js';

const DAY = 86_400_000;

describe('mini-DB: batch reverts that cannot be applied, and who may apply them (real PostgreSQL)', () => {
  let db: MiniDb;
  let admin: User;
  let h: ReturnType<typeof batchRevertHelpers>;
  const events: DomainEvent[] = [];
  let off: () => void;
  before(async () => {
    db = await startMiniDb();
    admin = await db.member('admin', 'admin');
    h = batchRevertHelpers(db);
    off = db.app.dataplane.bus.subscribe((event) => {
      events.push(event);
    });
  });
  after(async () => {
    off();
    await db.stop();
  });
  const owner = () => db.as(db.owner);

  it('applies nothing when a schema change fails after row changes of the batch were written', async () => {
    const { table, rows, columnId } = await h.newTable('Failing');
    const points = columnId('Points');
    expect(
      (await owner().put(`/api/v1/tables/${table.id}/columns/${points}`, { type: 'text' })).status,
    ).to.equal(200);
    const retype = await h.latest(table.id, 'column.update', points);
    // Someone writes a value the type change back cannot convert; then a row change to undo too.
    const editor = await db.member('writer', 'editor');
    const rowPath = `/api/v1/tables/${table.id}/rows`;
    expect(
      (await db.as(editor).patch(`${rowPath}/${rows[1]}`, { fields: { Points: 'many' } })).status,
    ).to.equal(200);
    expect((await owner().patch(`${rowPath}/${rows[0]}`, { fields: { Title: 'one!' } })).status).to.equal(
      200,
    );
    const rename = await h.latest(table.id, 'row.update', rows[0]);
    const body = { auditLogIds: [retype, rename] };

    // The dry run lists both; whether the cells convert is known when the type changes.
    const dry = await h.batch(body, admin);
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200);
    expect(dry.body.changes.map((c: BatchChange) => [c.entryAction, c.action])).to.deep.equal([
      ['row.update', 'row.update'],
      ['column.update', 'column.update'],
    ]);
    const before = await h.snapshot(table.id);
    const seen = events.length;
    const refused = await h.batch({ ...body, dryRun: false }, admin);
    expect([refused.status, refused.body.code, refused.body.auditLogId]).to.deep.equal([
      422,
      'type_change_failed',
      retype,
    ]);
    expect(refused.headers.get('content-type')).to.contain('application/problem+json');
    expect(refused.body.detail).to.contain(retype);
    expect(await h.snapshot(table.id)).to.deep.equal(before);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.slice(seen).filter((e) => e.payload.tableId === table.id)).to.deep.equal([]);

    const cleared = await h.batch({ ...body, clearInvalid: true, dryRun: false }, admin);
    expect(cleared.status, JSON.stringify(cleared.body)).to.equal(200);
    expect(await h.rowsOf(table.id)).to.deep.equal([
      { Title: 'one', Points: 1 },
      { Title: 'two', Points: null },
    ]);
  });

  it('refuses a column delete whose data was purged (409, the entry named); a range lists it', async () => {
    const { table, rows, columnId } = await h.newTable('Purged');
    const points = columnId('Points');
    const rowPath = `/api/v1/tables/${table.id}/rows/${rows[0]}`;
    const range = await h.during(async () => {
      expect((await owner().delete(`/api/v1/tables/${table.id}/columns/${points}`)).status).to.equal(204);
      expect((await owner().patch(rowPath, { fields: { Title: 'one!' } })).status).to.equal(200);
    });
    const deletion = await h.latest(table.id, 'column.delete', points);
    // The hourly purge, run as if the audit retention had passed.
    expect(
      await purgeTrashedColumns(db.app.dataplane.knex, new Date(Date.now() + 400 * DAY)),
    ).to.be.greaterThan(0);

    const before = await h.snapshot(table.id);
    const named = await h.batch({ auditLogIds: [deletion, await h.latest(table.id, 'row.update')] }, admin);
    expect([named.status, named.body.code, named.body.auditLogId]).to.deep.equal([
      409,
      'data_purged',
      deletion,
    ]);
    const confirmed = await h.batch({ auditLogIds: [deletion], dryRun: false }, admin);
    expect([confirmed.status, confirmed.body.code]).to.deep.equal([409, 'data_purged']);
    expect(await h.snapshot(table.id)).to.deep.equal(before);

    const ranged = await h.batch({ actorId: db.owner.id, ...range, dryRun: false }, admin);
    expect(ranged.status, JSON.stringify(ranged.body)).to.equal(200);
    expect(ranged.body.changes.map((c: BatchChange) => c.entryAction)).to.deep.equal(['row.update']);
    expect(
      (ranged.body.ignored as IgnoredEntry[]).map((e) => [e.auditLogId, e.action, e.code]),
    ).to.deep.equal([[deletion, 'column.delete', 'data_purged']]);
    expect(await h.rowsOf(table.id)).to.deep.equal([{ Title: 'one' }, { Title: 'two' }]);
  });

  it('needs schema:manage on the table for its schema changes, as the schema revert route does', async () => {
    const narrowed = await db.member('narrowed-admin', 'admin');
    const editor = await db.member('editor', 'editor');
    const viewer = await db.member('viewer', 'viewer');
    const base = await owner().post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name: 'Guarded' });
    const guarded = await h.newTable('Guarded', base.body.id as string);
    const open = await h.newTable('Open');
    const set = await owner().put(`/api/v1/bases/${base.body.id}/members/${narrowed.id}`, { role: 'editor' });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);

    const title = guarded.columnId('Title');
    const range = await h.during(async () => {
      for (const t of [guarded, open]) {
        const column = t.columnId('Title');
        expect(
          (await owner().put(`/api/v1/tables/${t.table.id}/columns/${column}`, { name: 'Name' })).status,
        ).to.equal(200);
        expect(
          (
            await owner().patch(`/api/v1/tables/${t.table.id}/rows/${t.rows[0]}`, {
              fields: { Name: 'one!' },
            })
          ).status,
        ).to.equal(200);
      }
    });
    const rename = await h.latest(guarded.table.id, 'column.update', title);
    const rowChange = await h.latest(guarded.table.id, 'row.update', guarded.rows[0]);

    for (const user of [editor, viewer]) {
      const denied = await h.batch({ auditLogIds: [rowChange] }, user);
      expect([denied.status, denied.body.code]).to.deep.equal([403, 'forbidden']);
    }
    // The narrowed admin may not revert the rename alone, nor in a batch; row changes are theirs.
    const single = await db.as(narrowed).post(`/api/v1/tables/${guarded.table.id}/schema/revert/${rename}`);
    expect([single.status, single.body.code]).to.deep.equal([403, 'forbidden']);
    const named = await h.batch({ auditLogIds: [rowChange, rename], dryRun: false }, narrowed);
    expect([named.status, named.body.code, named.body.auditLogId]).to.deep.equal([403, 'forbidden', rename]);
    expect((await h.batch({ auditLogIds: [rowChange] }, narrowed)).status).to.equal(200);

    const ranged = await h.batch({ actorId: db.owner.id, ...range, dryRun: false }, narrowed);
    expect(ranged.status, JSON.stringify(ranged.body)).to.equal(200);
    expect(
      (ranged.body.changes as BatchChange[]).map((c) => [
        c.tableId === open.table.id ? 'open' : 'guarded',
        c.action,
      ]),
    ).to.deep.equal([
      ['open', 'row.update'],
      ['open', 'column.update'],
      ['guarded', 'row.update'],
    ]);
    expect((ranged.body.ignored as IgnoredEntry[]).map((e) => [e.auditLogId, e.code])).to.deep.equal([
      [rename, 'forbidden'],
    ]);
    expect((await owner().get(`/api/v1/tables/${open.table.id}`)).body.columns[0].name).to.equal('Title');
    expect((await owner().get(`/api/v1/tables/${guarded.table.id}`)).body.columns[0].name).to.equal('Name');
    expect(await h.rowsOf(guarded.table.id, 'Name')).to.deep.equal([
      { Name: 'one', Points: 1 },
      { Name: 'two', Points: 2 },
    ]);
  });
});
