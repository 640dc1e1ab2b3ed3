import { expect } from 'chai';
import { REDIS_URL } from '../../support/databases.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import {
  physicalColumn,
  physicalTable,
  startMiniDb,
  type MiniDb,
  type TableBody,
} from '../minidb/minidb-fixture.js';
import { fieldsOf, viewCaller, type ViewCaller } from './views-fixture.js';

/**
 * View pages are cached by (view, version, data version of every table read, request). A change
 * committed through the API is in the very next page, on the replica that made it and on another
 * replica sharing Redis; a write behind the dataplane's back (no change event) is not, which is
 * how these tests see that pages are cached at all.
 */
async function seed(db: MiniDb): Promise<{ people: TableBody; teams: TableBody; teamId: string }> {
  const rows = db.as(db.owner);
  const teams = await rows.table({ name: 'Teams', columns: [{ name: 'Name', type: 'text' }] });
  const team = await rows.post(`/api/v1/tables/${teams.id}/rows`, { fields: { Name: 'Core' } });
  const people = await rows.table({
    name: 'People',
    columns: [
      { name: 'Name', type: 'text' },
      { name: 'Team', type: 'link', options: { tableId: teams.id } },
    ],
  });
  const person = await rows.post(`/api/v1/tables/${people.id}/rows`, {
    fields: { Name: 'Ada', Team: [team.body.id] },
  });
  expect(person.status).to.equal(201);
  return { people, teams, teamId: team.body.id };
}

const peopleView = (people: TableBody) => ({
  name: 'People and teams',
  source: { tableId: people.id },
  joins: [{ link: 'Team', as: 't' }],
  sort: [{ field: 'Name' }],
  visibleColumns: ['Name', 't.Name'],
});

/** Renames a row behind the dataplane's back: no event, so no data version moves. */
async function renameQuietly(db: MiniDb, table: TableBody, column: string, from: string, to: string) {
  const columnId = table.columns.find((c) => c.name === column)!.id;
  await db.app.dataplane.knex
    .withSchema(db.schema)
    .table(physicalTable(table.id))
    .where(physicalColumn(columnId), from)
    .update({ [physicalColumn(columnId)]: to });
}

describe('view cache, one replica', () => {
  let db: MiniDb;
  let owner: ViewCaller;
  let tables: Awaited<ReturnType<typeof seed>>;
  let viewId: string;

  before(async () => {
    db = await startMiniDb('cache-owner');
    owner = viewCaller(db.app, db.owner, db.workspaceId);
    tables = await seed(db);
    viewId = (await owner.view(peopleView(tables.people))).id;
  });
  after(() => db.stop());

  it('serves a page from the cache until a table it reads changes', async () => {
    expect(fieldsOf((await owner.data(viewId)).body.data)).to.deep.equal([{ Name: 'Ada', 't.Name': 'Core' }]);
    await renameQuietly(db, tables.people, 'Name', 'Ada', 'Quiet Ada');
    expect(fieldsOf((await owner.data(viewId)).body.data), 'cached').to.deep.equal([
      { Name: 'Ada', 't.Name': 'Core' },
    ]);
    const added = await db
      .as(db.owner)
      .post(`/api/v1/tables/${tables.people.id}/rows`, { fields: { Name: 'Grace', Team: [tables.teamId] } });
    expect(added.status).to.equal(201);
    expect(fieldsOf((await owner.data(viewId)).body.data)).to.deep.equal([
      { Name: 'Grace', 't.Name': 'Core' },
      { Name: 'Quiet Ada', 't.Name': 'Core' },
    ]);
  });

  it('a change of a joined table shows in the very next page', async () => {
    await owner.data(viewId);
    const renamed = await db
      .as(db.owner)
      .patch(`/api/v1/tables/${tables.teams.id}/rows/${tables.teamId}`, { fields: { Name: 'Platform' } });
    expect(renamed.status).to.equal(200);
    expect(fieldsOf((await owner.data(viewId)).body.data).map((f) => f['t.Name'])).to.deep.equal([
      'Platform',
      'Platform',
    ]);
  });

  it('an explicit refresh drops the cached pages', async () => {
    await owner.data(viewId);
    await renameQuietly(db, tables.people, 'Name', 'Grace', 'Quiet Grace');
    expect(fieldsOf((await owner.data(viewId)).body.data)[0]?.Name).to.equal('Grace');
    const refreshed = await owner.post(`/api/v1/views/${viewId}/refresh`);
    expect(refreshed.status, JSON.stringify(refreshed.body)).to.equal(200);
    expect(refreshed.body.materializedAt).to.equal(null);
    expect(fieldsOf((await owner.data(viewId)).body.data).map((f) => f.Name)).to.deep.equal([
      'Quiet Ada',
      'Quiet Grace',
    ]);
  });

  it('a changed view definition is a new cache key', async () => {
    await owner.data(viewId);
    const changed = await owner.put(`/api/v1/views/${viewId}`, {
      ...peopleView(tables.people),
      visibleColumns: ['Name'],
    });
    expect(changed.status).to.equal(200);
    expect(fieldsOf((await owner.data(viewId)).body.data)).to.deep.equal([
      { Name: 'Quiet Ada' },
      { Name: 'Quiet Grace' },
    ]);
  });
});

describe('view cache, two replicas sharing PostgreSQL and Redis', () => {
  let db: MiniDb;
  let other: TestApp;
  let onA: ViewCaller;
  let onB: ViewCaller;
  let tables: Awaited<ReturnType<typeof seed>>;
  let viewId: string;

  before(async () => {
    db = await startMiniDb('cache-replicas', { REDIS_URL });
    other = await startTestApp({ DATABASE_URL: db.app.databaseUrl, REDIS_URL });
    onA = viewCaller(db.app, db.owner, db.workspaceId);
    onB = viewCaller(other, db.owner, db.workspaceId);
    tables = await seed(db);
    viewId = (await onA.view(peopleView(tables.people))).id;
  });
  after(async () => {
    await other.stop();
    await db.stop();
  });

  it('shares cached pages between replicas', async () => {
    expect(fieldsOf((await onA.data(viewId)).body.data)).to.deep.equal([{ Name: 'Ada', 't.Name': 'Core' }]);
    await renameQuietly(db, tables.people, 'Name', 'Ada', 'Quiet Ada');
    expect(fieldsOf((await onB.data(viewId)).body.data), 'B reads the page A cached').to.deep.equal([
      { Name: 'Ada', 't.Name': 'Core' },
    ]);
  });

  it('a row written through one replica is in the very next page read through the other', async () => {
    await onB.data(viewId);
    const added = await db
      .as(db.owner)
      .post(`/api/v1/tables/${tables.people.id}/rows`, { fields: { Name: 'Linus', Team: [tables.teamId] } });
    expect(added.status).to.equal(201);
    expect(fieldsOf((await onB.data(viewId)).body.data).map((f) => f.Name)).to.deep.equal([
      'Linus',
      'Quiet Ada',
    ]);
    const removed = await db.as(db.owner).delete(`/api/v1/tables/${tables.people.id}/rows/${added.body.id}`);
    expect(removed.status).to.equal(204);
    expect(fieldsOf((await onB.data(viewId)).body.data).map((f) => f.Name)).to.deep.equal(['Quiet Ada']);
  });

  it('a change of a joined table through one replica is in the very next page of the other', async () => {
    await onB.data(viewId);
    const renamed = await db
      .as(db.owner)
      .patch(`/api/v1/tables/${tables.teams.id}/rows/${tables.teamId}`, { fields: { Name: 'Renamed on A' } });
    expect(renamed.status).to.equal(200);
    expect(fieldsOf((await onB.data(viewId)).body.data)).to.deep.equal([
      { Name: 'Quiet Ada', 't.Name': 'Renamed on A' },
    ]);
    // And the other way round.
    const back = await viewCaller(other, db.owner, db.workspaceId).data(viewId);
    expect(back.status).to.equal(200);
    const onOther = await other.request('PATCH', `/api/v1/tables/${tables.teams.id}/rows/${tables.teamId}`, {
      token: db.owner.accessToken,
      body: { fields: { Name: 'Renamed on B' } },
    });
    expect(onOther.status).to.equal(200);
    expect(fieldsOf((await onA.data(viewId)).body.data)[0]?.['t.Name']).to.equal('Renamed on B');
  });
});
