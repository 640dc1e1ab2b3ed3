import { expect } from 'chai';
import {
  physicalColumn,
  physicalTable,
  startMiniDb,
  type MiniDb,
  type TableBody,
  type User,
} from './minidb-fixture.js';

interface Entry {
  id: string;
  action: string;
  resourceId: string | null;
}

describe('mini-DB: schema reverts over HTTP (real PostgreSQL)', () => {
  let db: MiniDb;
  let editor: User;
  before(async () => {
    db = await startMiniDb();
    editor = await db.member('editor', 'editor');
  });
  after(() => db.stop());

  const owner = () => db.as(db.owner);
  const physicalColumns = async (tableId: string) =>
    (
      await db.app.dataplane
        .knex('information_schema.columns')
        .where({ table_schema: db.schema, table_name: physicalTable(tableId) })
        .select('column_name')
    ).map((c: { column_name: string }) => c.column_name);
  /** The newest entry of the table with this action (and resource). */
  const latest = async (tableId: string, action: string, resourceId?: string): Promise<Entry> => {
    const res = await owner().get(`/api/v1/tables/${tableId}/history?action=${action}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const entry = (res.body.data as Entry[]).find(
      (e) => resourceId === undefined || e.resourceId === resourceId,
    );
    expect(entry, action).to.not.equal(undefined);
    return entry as Entry;
  };
  const revert = (tableId: string, entryId: string, body: unknown = {}, user = db.owner) =>
    db.as(user).post(`/api/v1/tables/${tableId}/schema/revert/${entryId}`, body);
  const newTable = async (name: string) => {
    const t = await owner().table({
      name,
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Points', type: 'integer' },
      ],
    });
    for (const [Title, Points] of [
      ['one', 1],
      ['two', 2],
    ] as const)
      expect(
        (await owner().post(`/api/v1/tables/${t.id}/rows`, { fields: { Title, Points } })).status,
      ).to.equal(201);
    return t;
  };
  const rowsOf = async (tableId: string) =>
    (
      (await owner().get(`/api/v1/tables/${tableId}/rows?sort=Title`)).body.data as {
        fields: Record<string, unknown>;
      }[]
    ).map((r) => r.fields);
  const columnId = (t: TableBody, name: string) => t.columns.find((c) => c.name === name)?.id as string;

  it('reverts a column add: the column goes as a recorded column.delete; twice is a 409', async () => {
    const t = await newTable('Added');
    const added = await owner().post(`/api/v1/tables/${t.id}/columns`, { name: 'Extra', type: 'integer' });
    expect(added.status).to.equal(201);
    const entry = await latest(t.id, 'column.add', added.body.id);
    const res = await revert(t.id, entry.id);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.action).to.equal('column.delete');
    expect(res.body.table.columns.map((c: { name: string }) => c.name)).to.deep.equal(['Title', 'Points']);
    // table.create is version 1, the add 2, its revert 3.
    expect(res.body.table.schemaVersion).to.equal(3);
    expect(await physicalColumns(t.id)).to.not.include(physicalColumn(added.body.id));
    expect((await latest(t.id, 'column.delete')).resourceId).to.equal(added.body.id);
    const again = await revert(t.id, entry.id);
    expect([again.status, again.body.code]).to.deep.equal([409, 'already_reverted']);
  });

  it('reverts a column delete: same id, same metadata, its data back, recorded as column.restore', async () => {
    const t = await newTable('Deleted');
    const points = columnId(t, 'Points');
    expect((await owner().delete(`/api/v1/tables/${t.id}/columns/${points}`)).status).to.equal(204);
    expect((await rowsOf(t.id))[0]).to.deep.equal({ Title: 'one' });
    const entry = await latest(t.id, 'column.delete', points);
    const res = await revert(t.id, entry.id);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.action).to.equal('column.restore');
    const restored = res.body.table.columns.find((c: { id: string }) => c.id === points);
    expect(restored).to.include({ name: 'Points', type: 'integer' });
    expect(await rowsOf(t.id)).to.deep.equal([
      { Title: 'one', Points: 1 },
      { Title: 'two', Points: 2 },
    ]);
    expect(await physicalColumns(t.id)).to.include(physicalColumn(points));
    expect((await latest(t.id, 'column.restore')).resourceId).to.equal(points);
    // Rows still write to it, and the restore itself reverts (the column goes again).
    expect(
      (await owner().post(`/api/v1/tables/${t.id}/rows`, { fields: { Title: 'three', Points: 3 } })).status,
    ).to.equal(201);
    const undo = await revert(t.id, (await latest(t.id, 'column.restore')).id);
    expect([undo.status, undo.body.action]).to.deep.equal([200, 'column.delete']);
    const twice = await revert(t.id, (await latest(t.id, 'column.delete', points)).id);
    expect(twice.status).to.equal(200);
    expect((await rowsOf(t.id)).map((r) => r.Points)).to.deep.equal([1, 3, 2]);
  });

  it('reverts a rename and a table rename', async () => {
    const t = await newTable('Renamed');
    const title = columnId(t, 'Title');
    expect((await owner().put(`/api/v1/tables/${t.id}/columns/${title}`, { name: 'Name' })).status).to.equal(
      200,
    );
    const res = await revert(t.id, (await latest(t.id, 'column.update', title)).id);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.action).to.equal('column.update');
    expect(res.body.table.columns.map((c: { name: string }) => c.name)).to.deep.equal(['Title', 'Points']);

    expect((await owner().put(`/api/v1/tables/${t.id}`, { name: 'Other name' })).status).to.equal(200);
    const table = await revert(t.id, (await latest(t.id, 'table.update')).id);
    expect(table.status, JSON.stringify(table.body)).to.equal(200);
    expect(table.body.table.name).to.equal('Renamed');
  });

  it('reverts a type change through ALTER … USING: 422 for cells that do not convert, unless clearInvalid', async () => {
    const t = await newTable('Retyped');
    const points = columnId(t, 'Points');
    const retyped = await owner().put(`/api/v1/tables/${t.id}/columns/${points}`, { type: 'text' });
    expect(retyped.status, JSON.stringify(retyped.body)).to.equal(200);
    expect((await rowsOf(t.id)).map((r) => r.Points)).to.deep.equal(['1', '2']);
    const rows = (await owner().get(`/api/v1/tables/${t.id}/rows?sort=Title`)).body.data as { id: string }[];
    const patched = await owner().patch(`/api/v1/tables/${t.id}/rows/${rows[1]?.id}`, {
      fields: { Points: 'many' },
    });
    expect(patched.status).to.equal(200);
    const entry = await latest(t.id, 'column.update', points);

    const refused = await revert(t.id, entry.id);
    expect([refused.status, refused.body.code]).to.deep.equal([422, 'type_change_failed']);
    expect((await owner().get(`/api/v1/tables/${t.id}`)).body.columns[1].type).to.equal('text');

    const res = await revert(t.id, entry.id, { clearInvalid: true });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.table.columns[1]).to.include({ id: points, type: 'integer' });
    expect((await rowsOf(t.id)).map((r) => r.Points)).to.deep.equal([1, null]);
  });

  it('refuses row entries (422), entries of another table (404), and non-admins (403)', async () => {
    const t = await newTable('Guarded');
    const other = await newTable('Elsewhere');
    const rowEntry = await latest(t.id, 'row.create');
    const refused = await revert(t.id, rowEntry.id);
    expect([refused.status, refused.body.code]).to.deep.equal([422, 'not_revertable']);
    const created = await latest(t.id, 'table.create');
    expect((await revert(t.id, created.id)).status).to.equal(422);
    const foreign = await latest(other.id, 'table.create');
    expect((await revert(t.id, foreign.id)).status).to.equal(404);
    expect((await revert(t.id, 'not-an-id')).status).to.equal(404);
    const added = await owner().post(`/api/v1/tables/${t.id}/columns`, { name: 'Extra', type: 'integer' });
    const entry = await latest(t.id, 'column.add', added.body.id);
    const denied = await revert(t.id, entry.id, {}, editor);
    expect([denied.status, denied.body.code]).to.deep.equal([403, 'forbidden']);
    expect((await owner().get(`/api/v1/tables/${t.id}`)).body.columns).to.have.length(3);
  });
});
