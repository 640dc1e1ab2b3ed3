import { expect } from 'chai';
import { REDIS_URL } from '../../support/databases.js';
import { LiveClient } from '../../support/live-client.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { startMiniDb, type MiniDb, type TableBody } from '../minidb/minidb-fixture.js';
import { viewCaller } from '../views/views-fixture.js';

interface Update {
  op: string;
  viewId?: string;
  seq: number;
  epoch: string;
  rows: { id: string; version: number; fields: Record<string, unknown> }[];
}

describe('realtime view subscriptions (two replicas sharing Redis)', () => {
  let db: MiniDb;
  let second: TestApp;
  let table: TableBody;
  let viewId: string;
  let rowsPath: string;
  const clients: LiveClient[] = [];

  before(async () => {
    db = await startMiniDb('owner', { REDIS_URL });
    second = await startTestApp({ REDIS_URL, DATABASE_URL: db.app.databaseUrl });
    table = await db.as(db.owner).table({
      name: 'Tasks',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Status', type: 'text' },
        { name: 'Points', type: 'integer' },
        { name: 'Secret', type: 'text' },
      ],
    });
    rowsPath = `/api/v1/tables/${table.id}/rows`;
    const view = await viewCaller(db.app, db.owner, db.workspaceId).view({
      name: 'Open tasks',
      source: { tableId: table.id },
      filter: { field: 'Status', op: 'eq', value: 'open' },
      computedColumns: [{ name: 'Double', formula: '{Points} * 2' }],
      visibleColumns: ['Title', 'Status', 'Double'],
    });
    viewId = view.id;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  after(async () => {
    await second.stop();
    await db.stop();
  });

  const create = async (fields: Record<string, unknown>) => {
    const res = await db.as(db.owner).post(rowsPath, { fields });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; version: number };
  };
  const patch = async (id: string, fields: Record<string, unknown>) => {
    const res = await db.as(db.owner).patch(`${rowsPath}/${id}`, { fields });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { id: string; version: number };
  };

  it('sends a view’s room only its rows, as the view shows them; entering is an insert, leaving a delete', async () => {
    // The subscriber is on the other replica: the replica that writes must know of it.
    const watcher = new LiveClient(second.url, db.workspaceId, db.owner.accessToken);
    clients.push(watcher);
    await watcher.connected();
    await watcher.subscribe(`view:${viewId}`);

    const open = await create({ Title: 'open one', Status: 'open', Points: 2, Secret: 's1' });
    const closed = await create({ Title: 'closed one', Status: 'done', Points: 3, Secret: 's2' });
    await patch(open.id, { Points: 5 }); // stays in the view
    await patch(closed.id, { Title: 'still closed' }); // never in the view: nothing
    await patch(closed.id, { Status: 'open' }); // enters
    await patch(open.id, { Status: 'done' }); // leaves
    const gone = await db.as(db.owner).delete(`${rowsPath}/${closed.id}`); // in the view: a delete
    expect(gone.status).to.equal(204);
    const marker = await create({ Title: 'marker', Status: 'open', Points: 0 });

    const updates = (await watcher.waitFor('data:update', 6)) as Update[];
    const seen = updates.map((u) => [u.op, u.rows.map((r) => r.id)]);
    expect(seen).to.deep.equal([
      ['insert', [open.id]],
      ['update', [open.id]],
      ['insert', [closed.id]],
      ['delete', [open.id]],
      ['delete', [closed.id]],
      ['insert', [marker.id]],
    ]);
    expect(updates.every((u) => u.viewId === viewId)).to.equal(true);
    expect(updates[0]?.rows[0]?.fields).to.deep.equal({ Title: 'open one', Status: 'open', Double: 4 });
    expect(updates[1]?.rows[0]?.fields).to.deep.equal({ Title: 'open one', Status: 'open', Double: 10 });
    expect(JSON.stringify(updates)).to.not.include('s1'); // hidden columns never travel
    expect(JSON.stringify(updates)).to.not.include('Secret');
    expect(updates.map((u) => u.seq)).to.deep.equal(updates.map((_, i) => (updates[0] as Update).seq + i));
  });

  it('follows a change of the view’s definition from the next write on', async () => {
    const caller = viewCaller(db.app, db.owner, db.workspaceId);
    const view = await caller.view({
      name: 'Followed',
      source: { tableId: table.id },
      filter: { field: 'Status', op: 'eq', value: 'open' },
      visibleColumns: ['Title'],
    });
    const watcher = new LiveClient(second.url, db.workspaceId, db.owner.accessToken);
    clients.push(watcher);
    await watcher.connected();
    await watcher.subscribe(`view:${view.id}`);
    await create({ Title: 'first open', Status: 'open' });
    await watcher.waitFor('data:update', 1);
    const changed = await caller.put(`/api/v1/views/${view.id}`, {
      name: 'Followed',
      source: { tableId: table.id },
      filter: { field: 'Status', op: 'eq', value: 'blocked' },
      visibleColumns: ['Title', 'Status'],
    });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    await create({ Title: 'open, now outside', Status: 'open' });
    const blocked = await create({ Title: 'blocked, now inside', Status: 'blocked' });
    const updates = (await watcher.waitFor('data:update', 2)) as Update[];
    expect(updates[1]?.rows).to.deep.equal([
      { id: blocked.id, version: 1, fields: { Title: 'blocked, now inside', Status: 'blocked' } },
    ]);
  });

  it('tells a grouped view’s room that it changed, numbered in the view’s stream', async () => {
    const grouped = await viewCaller(db.app, db.owner, db.workspaceId).view({
      name: 'Points by status',
      source: { tableId: table.id },
      groupBy: { fields: ['Status'], aggregates: [{ fn: 'sum', field: 'Points', as: 'Total' }] },
    });
    const watcher = new LiveClient(db.app.url, db.workspaceId, db.owner.accessToken);
    clients.push(watcher);
    await watcher.connected();
    await watcher.subscribe(`view:${grouped.id}`);
    await create({ Title: 'counted', Status: 'open', Points: 1 });
    const [changed] = await watcher.waitFor('view:changed', 1);
    expect(changed).to.include({ viewId: grouped.id, tableId: table.id, actor: db.owner.id, seq: 1 });
    expect(watcher.events('data:update')).to.have.length(0);
  });

  it('refuses a view room to a user the view’s read rule does not admit', async () => {
    const restricted = await viewCaller(db.app, db.owner, db.workspaceId).view({
      name: 'Admins only',
      source: { tableId: table.id },
      access: { read: { minRole: 'admin' } },
    });
    const viewer = await db.member('viewer', 'viewer');
    const c = new LiveClient(db.app.url, db.workspaceId, viewer.accessToken);
    clients.push(c);
    await c.connected();
    const refused = await c.send('subscribe', { room: `view:${restricted.id}` });
    expect(refused.ok).to.equal(false);
    expect(refused.error).to.include({ status: 404 });
    expect((await c.send('subscribe', { room: `view:${viewId}` })).ok).to.equal(true);
  });
});
