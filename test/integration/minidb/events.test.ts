import { expect } from 'chai';
import type { DomainEvent } from '../../../dataplane/src/platform/event-bus.js';
import { startMiniDb, type MiniDb, type TableBody } from './minidb-fixture.js';

describe('mini-DB: committed changes are published on the event bus, refused ones never', () => {
  let db: MiniDb;
  let table: TableBody;
  const events: DomainEvent[] = [];
  let off: () => void;
  before(async () => {
    db = await startMiniDb();
    off = db.app.dataplane.bus.subscribe((event) => {
      events.push(event);
    });
    table = await db
      .as(db.owner)
      .table({ name: 'Watched', columns: [{ name: 'N', type: 'integer', unique: true }] });
  });
  after(async () => {
    off();
    await db.stop();
  });

  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
  const rowEvents = () => events.filter((e) => e.type === 'rows.changed' && e.payload.tableId === table.id);

  it('publishes each row change after it commits, with the rows, the operation and the actor', async () => {
    const owner = db.as(db.owner);
    const path = `/api/v1/tables/${table.id}/rows`;
    const created = await owner.post(path, { fields: { N: 1 } });
    await owner.patch(`${path}/${created.body.id}`, { fields: { N: 2 }, version: 1 });
    await owner.delete(`${path}/${created.body.id}`);
    await owner.post(`${path}/bulk`, {
      operation: 'create',
      rows: [{ fields: { N: 10 } }, { fields: { N: 11 } }],
    });
    await settle();
    const seen = rowEvents().map((e) => ({
      op: e.payload.op,
      rows: (e.payload.rows as { fields: { N?: number } }[]).map((r) => r.fields.N ?? null),
      actor: e.actorId,
      workspace: e.workspaceId,
    }));
    expect(seen).to.deep.equal([
      { op: 'insert', rows: [1], actor: db.owner.id, workspace: db.workspaceId },
      { op: 'update', rows: [2], actor: db.owner.id, workspace: db.workspaceId },
      { op: 'delete', rows: [null], actor: db.owner.id, workspace: db.workspaceId },
      { op: 'insert', rows: [10, 11], actor: db.owner.id, workspace: db.workspaceId },
    ]);
  });

  it('publishes nothing for a write that was refused or rolled back', async () => {
    const owner = db.as(db.owner);
    const path = `/api/v1/tables/${table.id}/rows`;
    const before = rowEvents().length;
    expect((await owner.post(path, { fields: { N: 'x' } })).status).to.equal(422);
    expect((await owner.post(path, { fields: { N: 10 } })).status).to.equal(409); // unique: rolled back
    expect(
      (
        await owner.post(`${path}/bulk`, {
          operation: 'create',
          rows: [{ fields: { N: 50 } }, { fields: { N: 50 } }],
        })
      ).status,
    ).to.equal(409);
    await settle();
    expect(rowEvents().length).to.equal(before);
  });

  it('publishes schema changes with the new schema version', async () => {
    const owner = db.as(db.owner);
    await owner.post(`/api/v1/tables/${table.id}/columns`, { name: 'Extra', type: 'text' });
    await settle();
    const schema = events.filter((e) => e.type === 'schema.changed' && e.payload.tableId === table.id);
    expect(schema.map((e) => [e.payload.action, e.payload.schemaVersion])).to.deep.equal([
      ['table.create', 1],
      ['column.add', 2],
    ]);
  });

  it('publishes workspace.changed once per transaction that changed more than row data', async () => {
    const owner = db.as(db.owner);
    const changed = () => events.filter((e) => e.type === 'workspace.changed').length;
    const path = `/api/v1/tables/${table.id}/rows`;
    const start = changed();
    await owner.post(path, { fields: { N: 100 } });
    await owner.post(`${path}/bulk`, { operation: 'create', rows: [{ fields: { N: 101 } }] });
    expect(changed(), 'row writes').to.equal(start);
    await owner.post(`/api/v1/tables/${table.id}/columns`, { name: 'More', type: 'text' });
    await owner.put(`/api/v1/bases/${db.baseId}`, { name: 'Renamed base' });
    const last = events.filter((e) => e.type === 'workspace.changed').slice(-2);
    expect(changed()).to.equal(start + 2);
    expect(last.map((e) => [e.workspaceId, e.actorId])).to.deep.equal([
      [db.workspaceId, db.owner.id],
      [db.workspaceId, db.owner.id],
    ]);
  });
});
