import { expect } from 'chai';
import { REDIS_URL } from '../../support/databases.js';
import { eventually } from '../../support/eventually.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { startMiniDb, type MiniDb, type TableBody, type User } from './minidb-fixture.js';

/**
 * Access and table metadata are cached in each dataplane process (ADR 0012). These tests change
 * them through one replica and read through the same one and through another replica sharing
 * the database: what a user may do and what a table looks like must follow at once on the
 * replica that made the change, and without a wrong answer on the others.
 */

function as(app: TestApp, user: User) {
  return (method: string, path: string, body?: unknown) =>
    app.request(method, path, { token: user.accessToken, ...(body === undefined ? {} : { body }) });
}

const rowsOf = (tableId: string) => `/api/v1/tables/${tableId}/rows`;

describe('cached access and metadata, one replica', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb('owner');
  });
  after(() => db.stop());

  it('a removed member is refused on the very next request', async () => {
    const table = await db.as(db.owner).table({ name: 'Removal', columns: [{ name: 'Name', type: 'text' }] });
    const viewer = await db.member('viewer', 'viewer');
    expect((await db.as(viewer).get(rowsOf(table.id))).status).to.equal(200); // cached now
    const removed = await db.as(db.owner).delete(`/api/v1/workspaces/${db.workspaceId}/members/${viewer.id}`);
    expect(removed.status).to.equal(204);
    expect((await db.as(viewer).get(rowsOf(table.id))).status).to.equal(404);
    expect((await db.as(viewer).get(`/api/v1/workspaces/${db.workspaceId}/bases`)).status).to.equal(404);
  });

  it('a demoted member loses the right to write on the very next request', async () => {
    const table = await db
      .as(db.owner)
      .table({ name: 'Demotion', columns: [{ name: 'Name', type: 'text' }] });
    const editor = await db.member('editor', 'editor');
    expect((await db.as(editor).post(rowsOf(table.id), { fields: { Name: 'a' } })).status).to.equal(201);
    const changed = await db
      .as(db.owner)
      .patch(`/api/v1/workspaces/${db.workspaceId}/members/${editor.id}`, { role: 'viewer' });
    expect(changed.status).to.equal(200);
    const refused = await db.as(editor).post(rowsOf(table.id), { fields: { Name: 'b' } });
    expect(refused.status).to.equal(403);
    expect(refused.body.code).to.equal('forbidden');
  });

  it('a base role that narrows a member applies on the very next request', async () => {
    const table = await db
      .as(db.owner)
      .table({ name: 'Narrowed', columns: [{ name: 'Name', type: 'text' }] });
    const editor = await db.member('narrowed', 'editor');
    expect((await db.as(editor).post(rowsOf(table.id), { fields: { Name: 'a' } })).status).to.equal(201);
    const set = await db
      .as(db.owner)
      .put(`/api/v1/bases/${db.baseId}/members/${editor.id}`, { role: 'viewer' });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    expect((await db.as(editor).post(rowsOf(table.id), { fields: { Name: 'b' } })).status).to.equal(403);
    expect((await db.as(editor).get(rowsOf(table.id))).status).to.equal(200);
  });

  it('a column added, renamed or deleted shows in the very next list', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({ name: 'Shape', columns: [{ name: 'Name', type: 'text' }] });
    expect((await owner.post(rowsOf(table.id), { fields: { Name: 'a' } })).status).to.equal(201);
    expect((await owner.get(rowsOf(table.id))).body.data[0].fields).to.deep.equal({ Name: 'a' });
    const added = await owner.post(`/api/v1/tables/${table.id}/columns`, { name: 'Qty', type: 'integer' });
    expect(added.status).to.equal(201);
    expect((await owner.get(rowsOf(table.id))).body.data[0].fields).to.deep.equal({ Name: 'a', Qty: null });
    const renamed = await owner.put(`/api/v1/tables/${table.id}/columns/${added.body.id}`, { name: 'Count' });
    expect(renamed.status).to.equal(200);
    expect((await owner.get(rowsOf(table.id))).body.data[0].fields).to.deep.equal({ Name: 'a', Count: null });
    expect((await owner.delete(`/api/v1/tables/${table.id}/columns/${added.body.id}`)).status).to.equal(204);
    expect((await owner.get(rowsOf(table.id))).body.data[0].fields).to.deep.equal({ Name: 'a' });
  });

  it('an archived table is a 404 on the very next read, and readable again once restored', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({ name: 'Archived', columns: [{ name: 'Name', type: 'text' }] });
    expect((await owner.get(rowsOf(table.id))).status).to.equal(200);
    expect((await owner.post(`/api/v1/tables/${table.id}/archive`)).status).to.equal(200);
    expect((await owner.get(rowsOf(table.id))).status).to.equal(404);
    expect((await owner.post(`/api/v1/tables/${table.id}/restore`)).status).to.equal(200);
    expect((await owner.get(rowsOf(table.id))).status).to.equal(200);
  });
});

describe('cached access and metadata, two replicas sharing Redis', () => {
  let db: MiniDb;
  let other: TestApp;
  let table: TableBody;
  before(async () => {
    db = await startMiniDb('owner', { REDIS_URL });
    other = await startTestApp({ DATABASE_URL: db.app.databaseUrl, REDIS_URL });
    table = await db.as(db.owner).table({ name: 'Shared', columns: [{ name: 'Name', type: 'text' }] });
    expect((await db.as(db.owner).post(rowsOf(table.id), { fields: { Name: 'a' } })).status).to.equal(201);
  });
  after(async () => {
    await other.stop();
    await db.stop();
  });

  it("a member removed on one replica is refused on the other once it hears (Redis' round trip)", async () => {
    const viewer = await db.member('viewer', 'viewer');
    const onOther = as(other, viewer);
    expect((await onOther('GET', rowsOf(table.id))).status).to.equal(200); // cached on the other replica
    const removed = await db.as(db.owner).delete(`/api/v1/workspaces/${db.workspaceId}/members/${viewer.id}`);
    expect(removed.status).to.equal(204);
    await eventually(async () => {
      expect((await onOther('GET', rowsOf(table.id))).status).to.equal(404);
    });
  });

  it('a column added on one replica can be filtered on at once through the other', async () => {
    const onOther = as(other, db.owner);
    expect((await onOther('GET', rowsOf(table.id))).body.data[0].fields).to.deep.equal({ Name: 'a' });
    const added = await db
      .as(db.owner)
      .post(`/api/v1/tables/${table.id}/columns`, { name: 'Qty', type: 'integer' });
    expect(added.status).to.equal(201);
    // Whether or not the other replica has heard yet, a query naming the new column is answered.
    const filter = encodeURIComponent(JSON.stringify({ field: 'Qty', op: 'isEmpty' }));
    const listed = await onOther('GET', `${rowsOf(table.id)}?filter=${filter}&sort=-Qty`);
    expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
    expect(listed.body.data.map((r: { fields: unknown }) => r.fields)).to.deep.equal([
      { Name: 'a', Qty: null },
    ]);
  });
});

describe('cached metadata, a replica that hears nothing (no shared bus)', () => {
  let db: MiniDb;
  let deaf: TestApp;
  before(async () => {
    db = await startMiniDb('owner');
    // Its own in-process bus: it learns of the first replica's changes from the database only.
    deaf = await startTestApp({ DATABASE_URL: db.app.databaseUrl });
  });
  after(async () => {
    await deaf.stop();
    await db.stop();
  });

  it('a column deleted elsewhere never makes its lists fail: it reads the table again', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({
      name: 'Stale',
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'Qty', type: 'integer' },
      ],
    });
    expect((await owner.post(rowsOf(table.id), { fields: { Name: 'a', Qty: 1 } })).status).to.equal(201);
    const onDeaf = as(deaf, db.owner);
    expect((await onDeaf('GET', rowsOf(table.id))).body.data[0].fields).to.deep.equal({ Name: 'a', Qty: 1 });
    const qty = table.columns.find((c) => c.name === 'Qty')?.id;
    expect((await owner.delete(`/api/v1/tables/${table.id}/columns/${qty}`)).status).to.equal(204);
    // Its cached table still names Qty, whose physical column is gone: the statement fails, the
    // replica sees a newer schema version, forgets, and answers from the table as it is.
    const listed = await onDeaf('GET', rowsOf(table.id));
    expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
    expect(listed.body.data[0].fields).to.deep.equal({ Name: 'a' });
    // A filter on the deleted column is bad input now, answered as such.
    const filter = encodeURIComponent(JSON.stringify({ field: 'Qty', op: 'eq', value: 1 }));
    const refused = await onDeaf('GET', `${rowsOf(table.id)}?filter=${filter}`);
    expect(refused.status).to.equal(422);
  });
});
