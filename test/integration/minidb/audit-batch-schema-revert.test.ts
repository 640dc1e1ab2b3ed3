import { expect } from 'chai';
import type { DomainEvent } from '../../../dataplane/src/platform/event-bus.js';
import { batchRevertHelpers, type BatchChange, type IgnoredEntry } from './batch-revert-fixture.js';
import { physicalColumn, startMiniDb, type MiniDb, type User } from './minidb-fixture.js';

const trashed = (columnId: string) => `d_${columnId.replaceAll('-', '')}`;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('mini-DB: batch reverts of schema and row changes together (real PostgreSQL)', () => {
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
  const summary = (changes: BatchChange[]) => changes.map((c) => [c.resourceType, c.entryAction, c.action]);

  it('undoes a column add with the rows written to it: a dry run that writes nothing, then one transaction', async () => {
    const { table, rows } = await h.newTable('Mixed');
    const rowsPath = `/api/v1/tables/${table.id}/rows`;
    let extra = '';
    let three = '';
    const range = await h.during(async () => {
      const added = await owner().post(`/api/v1/tables/${table.id}/columns`, {
        name: 'Extra',
        type: 'integer',
      });
      expect(added.status, JSON.stringify(added.body)).to.equal(201);
      extra = added.body.id as string;
      expect((await owner().patch(`${rowsPath}/${rows[0]}`, { fields: { Extra: 5 } })).status).to.equal(200);
      three = (await owner().post(rowsPath, { fields: { Title: 'three', Extra: 7 } })).body.id as string;
    });
    const selection = { actorId: db.owner.id, ...range };

    const before = await h.snapshot(table.id);
    const dry = await h.batch(selection, admin);
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200);
    const changes = dry.body.changes as BatchChange[];
    expect(summary(changes)).to.deep.equal([
      ['row', 'row.create', 'row.delete'],
      ['row', 'row.update', 'row.update'],
      ['column', 'column.add', 'column.delete'],
    ]);
    expect(changes[0]?.resourceId).to.equal(three);
    expect([changes[1]?.from.fields[extra], changes[1]?.to.fields[extra]]).to.deep.equal([5, null]);
    expect(changes[2]).to.deep.include({ resourceId: extra, tableId: table.id, to: null });
    expect(changes[2]?.from).to.include({ id: extra, name: 'Extra', type: 'integer' });
    expect(dry.body.ignored).to.deep.equal([]);
    await h.matchesDocument(dry.body);
    expect(await h.snapshot(table.id)).to.deep.equal(before);

    const seen = events.length;
    const done = await h.batch({ ...selection, dryRun: false }, admin);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.changes).to.deep.equal(changes);
    const after = (await owner().get(`/api/v1/tables/${table.id}`)).body;
    expect(after.columns.map((c: { name: string }) => c.name)).to.deep.equal(['Title', 'Points']);
    expect(after.schemaVersion).to.equal(before.table.schemaVersion + 1);
    // The column's data stays in the trash until the purge, as after any column delete.
    expect(await h.physicalColumns(table.id))
      .to.include(trashed(extra))
      .and.not.include(physicalColumn(extra));
    expect(await h.rowsOf(table.id)).to.deep.equal([
      { Title: 'one', Points: 1 },
      { Title: 'two', Points: 2 },
    ]);
    // Each undo is its own audited change, by the admin; its events went out after the commit.
    expect((await h.actionsBy(admin)).slice(0, 3)).to.deep.equal([
      'column.delete',
      'row.update',
      'row.delete',
    ]);
    await settle();
    expect(
      events
        .slice(seen)
        .filter((e) => e.payload.tableId === table.id)
        .map((e) => [e.type, e.payload.op ?? e.payload.action]),
    ).to.deep.equal([
      ['rows.changed', 'delete'],
      ['rows.changed', 'update'],
      ['schema.changed', 'column.delete'],
    ]);
  });

  it('undoes a column delete and the row changes around it: the data comes back, older values too', async () => {
    const { table, rows, columnId } = await h.newTable('Deleted');
    const points = columnId('Points');
    const rowPath = `/api/v1/tables/${table.id}/rows/${rows[0]}`;
    const range = await h.during(async () => {
      expect((await owner().patch(rowPath, { fields: { Points: 5 } })).status).to.equal(200);
      expect((await owner().delete(`/api/v1/tables/${table.id}/columns/${points}`)).status).to.equal(204);
      expect((await owner().patch(rowPath, { fields: { Title: 'one!' } })).status).to.equal(200);
    });
    const dry = await h.batch({ actorId: db.owner.id, ...range }, admin);
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200);
    const changes = dry.body.changes as BatchChange[];
    expect(summary(changes)).to.deep.equal([
      ['row', 'row.update', 'row.update'],
      ['column', 'column.delete', 'column.restore'],
      ['row', 'row.update', 'row.update'],
    ]);
    expect(changes[0]?.from.fields).to.not.have.property(points);
    expect(changes[1]?.to).to.include({ id: points, name: 'Points', type: 'integer' });
    // Planned after the restore: the row's value read back from the trash, then set back.
    expect([changes[2]?.from.fields[points], changes[2]?.to.fields[points]]).to.deep.equal([5, 1]);
    await h.matchesDocument(dry.body);

    const done = await h.batch({ actorId: db.owner.id, ...range, dryRun: false }, admin);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.changes).to.deep.equal(changes);
    expect(await h.rowsOf(table.id)).to.deep.equal([
      { Title: 'one', Points: 1 },
      { Title: 'two', Points: 2 },
    ]);
    expect(await h.physicalColumns(table.id))
      .to.include(physicalColumn(points))
      .and.not.include(trashed(points));
    expect((await h.actionsBy(admin)).slice(0, 3)).to.deep.equal([
      'row.update',
      'column.restore',
      'row.update',
    ]);
  });

  it('skips the cells of a column the batch deletes first, and says which entry deletes it', async () => {
    const { table, rows } = await h.newTable('Skipped');
    const added = await owner().post(`/api/v1/tables/${table.id}/columns`, { name: 'Extra', type: 'text' });
    const extra = added.body.id as string;
    const rowPath = `/api/v1/tables/${table.id}/rows/${rows[0]}`;
    expect((await owner().patch(rowPath, { fields: { Extra: 'a' } })).status).to.equal(200);
    expect((await owner().patch(rowPath, { fields: { Title: 'one!', Extra: 'b' } })).status).to.equal(200);
    const update = (
      await db.app.request('GET', `/api/v1/rows/${rows[0]}/history`, {
        token: admin.accessToken,
        headers: { 'x-workspace-id': db.workspaceId },
      })
    ).body.data[0].id as string;
    // The column is deleted, and that deletion reverted: the batch undoes the restore.
    expect((await owner().delete(`/api/v1/tables/${table.id}/columns/${extra}`)).status).to.equal(204);
    const deletion = await h.latest(table.id, 'column.delete', extra);
    expect((await owner().post(`/api/v1/tables/${table.id}/schema/revert/${deletion}`)).status).to.equal(200);
    const restore = await h.latest(table.id, 'column.restore', extra);

    const body = { auditLogIds: [update, restore], dryRun: false };
    const done = await h.batch(body, admin);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const changes = done.body.changes as BatchChange[];
    expect(summary(changes)).to.deep.equal([
      ['column', 'column.restore', 'column.delete'],
      ['row', 'row.update', 'row.update'],
    ]);
    expect(changes[1]?.to.fields).to.deep.equal({
      [table.columns[0]?.id as string]: 'one',
      [table.columns[1]?.id as string]: 1,
    });
    expect(changes[1]?.skippedColumns).to.deep.equal([
      { columnId: extra, reason: 'column_deleted', deletedBy: restore },
    ]);
    expect(await h.rowsOf(table.id)).to.deep.equal([
      { Title: 'one', Points: 1 },
      { Title: 'two', Points: 2 },
    ]);
  });

  it('brings back the cells a type change cleared when the range undoes the type change', async () => {
    const { table, rows, columnId } = await h.newTable('Retyped');
    const title = columnId('Title');
    expect(
      (await owner().patch(`/api/v1/tables/${table.id}/rows/${rows[1]}`, { fields: { Title: '12' } })).status,
    ).to.equal(200);
    const range = await h.during(async () => {
      const retyped = await owner().put(`/api/v1/tables/${table.id}/columns/${title}`, {
        type: 'integer',
        clearInvalid: true,
      });
      expect(retyped.status, JSON.stringify(retyped.body)).to.equal(200);
    });
    expect((await h.rowsOf(table.id)).map((r) => r.Title)).to.have.members([null, 12]);

    const done = await h.batch({ actorId: db.owner.id, ...range, dryRun: false }, admin);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const changes = done.body.changes as BatchChange[];
    expect(summary(changes)).to.deep.equal([
      ['column', 'column.update', 'column.update'],
      ['row', 'row.update', 'row.update'],
    ]);
    expect([changes[0]?.from.type, changes[0]?.to.type]).to.deep.equal(['integer', 'text']);
    expect(changes[1]?.to.fields).to.deep.equal({ [title]: 'one' });
    expect(await h.rowsOf(table.id)).to.deep.equal([
      { Title: '12', Points: 2 },
      { Title: 'one', Points: 1 },
    ]);
  });

  it("takes schema changes into a user's time range and lists what it cannot undo, and why", async () => {
    const { table, columnId } = await h.newTable('Ranged');
    const title = columnId('Title');
    const points = columnId('Points');
    const gone = await h.newTable('Gone');
    let extra = '';
    const range = await h.during(async () => {
      expect((await owner().put(`/api/v1/tables/${table.id}`, { name: 'Renamed' })).status).to.equal(200);
      expect(
        (await owner().put(`/api/v1/tables/${table.id}/columns/${title}`, { name: 'Name' })).status,
      ).to.equal(200);
      const order = await owner().post(`/api/v1/tables/${table.id}/columns/reorder`, {
        columnIds: [points, title],
      });
      expect(order.status, JSON.stringify(order.body)).to.equal(200);
      extra = (await owner().post(`/api/v1/tables/${table.id}/columns`, { name: 'Extra', type: 'text' })).body
        .id as string;
      expect(
        (await owner().post(`/api/v1/tables/${gone.table.id}/rows`, { fields: { Title: 'three' } })).status,
      ).to.equal(201);
      // Someone else's changes in the meantime: not in the range, but in the way.
      expect((await db.as(admin).delete(`/api/v1/tables/${table.id}/columns/${extra}`)).status).to.equal(204);
      expect((await db.as(admin).delete(`/api/v1/tables/${gone.table.id}`)).status).to.equal(204);
    });
    const dry = await h.batch({ actorId: db.owner.id, ...range }, admin);
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200);
    expect(summary(dry.body.changes)).to.deep.equal([
      ['column', 'column.update', 'column.update'],
      ['table', 'table.update', 'table.update'],
    ]);
    await h.matchesDocument(dry.body);
    const ignored = dry.body.ignored as IgnoredEntry[];
    expect(ignored.map((e) => [e.action, e.code])).to.deep.equal([
      ['row.create', 'not_revertable'],
      ['column.add', 'already_reverted'],
      ['column.reorder', 'not_revertable'],
    ]);
    expect(ignored.every((e) => e.detail.length > 0)).to.equal(true);
    // Named, the same entries are refused, each problem naming its entry.
    for (const [entry, status, code] of [
      [ignored[0], 422, 'not_revertable'],
      [ignored[1], 409, 'already_reverted'],
      [ignored[2], 422, 'not_revertable'],
    ] as const) {
      const named = await h.batch({ auditLogIds: [entry?.auditLogId] }, admin);
      expect([named.status, named.body.code], JSON.stringify(named.body)).to.deep.equal([status, code]);
      expect(named.body.detail).to.contain(entry?.auditLogId);
    }

    const done = await h.batch({ actorId: db.owner.id, ...range, dryRun: false }, admin);
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const after = (await owner().get(`/api/v1/tables/${table.id}`)).body;
    expect(after.name).to.equal('Ranged');
    expect(after.columns.map((c: { name: string }) => c.name)).to.deep.equal(['Points', 'Title']);
  });
});
