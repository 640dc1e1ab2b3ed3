import { expect } from 'chai';
import { registerUser } from '../../support/test-app.js';
import { physicalColumn, physicalTable, startMiniDb, type MiniDb } from './minidb-fixture.js';

describe('mini-DB: bases, tables and columns over HTTP (real PostgreSQL)', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb();
  });
  after(() => db.stop());

  const physicalColumns = async (tableId: string) =>
    (
      await db.app.dataplane
        .knex('information_schema.columns')
        .where({ table_schema: db.schema, table_name: physicalTable(tableId) })
        .orderBy('ordinal_position')
        .select('column_name', 'data_type')
    ).map((c: { column_name: string; data_type: string }) => `${c.column_name}:${c.data_type}`);

  it('creates a base, lists and changes it; another workspace cannot see it', async () => {
    const owner = db.as(db.owner);
    const created = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases`, {
      name: 'CRM',
      color: 'blue',
      icon: 'users',
    });
    expect(created.status).to.equal(201);
    expect(created.body).to.include({
      name: 'CRM',
      color: 'blue',
      icon: 'users',
      workspaceId: db.workspaceId,
    });
    const renamed = await owner.put(`/api/v1/bases/${created.body.id}`, { name: 'Sales' });
    expect(renamed.body.name).to.equal('Sales');
    const list = await owner.get(`/api/v1/workspaces/${db.workspaceId}/bases?limit=100`);
    expect(list.body.data.map((b: { name: string }) => b.name)).to.include('Sales');

    const stranger = await registerUser(db.app, 'stranger');
    expect((await db.as(stranger).get(`/api/v1/bases/${created.body.id}`)).status).to.equal(404);
    expect((await db.as(stranger).put(`/api/v1/bases/${created.body.id}`, { name: 'x' })).status).to.equal(
      404,
    );
  });

  it('creates a real PostgreSQL table with one physical column per stored column, in one transaction', async () => {
    const table = await db.as(db.owner).table({
      name: 'Tasks',
      columns: [
        { name: 'Title', type: 'text', required: true },
        { name: 'Points', type: 'integer' },
        { name: 'Due', type: 'date' },
        { name: 'Status', type: 'singleSelect', options: { choices: ['Todo', 'Done'] } },
        { name: 'Score', type: 'formula', options: { formula: '{Points} * 2' } },
        { name: 'Created', type: 'createdTime' },
      ],
    });
    expect(table.schemaVersion).to.equal(1);
    expect(table.columns.map((c) => c.type)).to.deep.equal([
      'text',
      'integer',
      'date',
      'singleSelect',
      'formula',
      'createdTime',
    ]);
    const [title, points, due, status] = table.columns;
    expect(await physicalColumns(table.id)).to.deep.equal([
      'id:uuid',
      'version:integer',
      'created_at:timestamp with time zone',
      'updated_at:timestamp with time zone',
      'created_by:uuid',
      'updated_by:uuid',
      `${physicalColumn(title!.id)}:text`,
      `${physicalColumn(points!.id)}:bigint`,
      `${physicalColumn(due!.id)}:date`,
      `${physicalColumn(status!.id)}:text`,
    ]);
    const audit = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ resource_id: table.id, action: 'table.create' });
    expect(audit).to.have.length(1);
  });

  it('refuses a bad table with 422 naming each problem, and creates nothing', async () => {
    const owner = db.as(db.owner);
    const before = await db.app.dataplane
      .knex(`${db.schema}.tables`)
      .count<{ count: string }[]>('* as count');
    const res = await owner.post(`/api/v1/bases/${db.baseId}/tables`, {
      name: 'Broken',
      columns: [
        { name: 'A', type: 'text' },
        { name: 'a', type: 'integer' },
        { name: '@id', type: 'text' },
        { name: 'S', type: 'singleSelect', options: { choices: ['x', 'x'] } },
        { name: 'F', type: 'formula', options: { formula: '{Nope} + 1' } },
      ],
    });
    expect(res.status).to.equal(422);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths.some((p) => p.startsWith('columns[2].name'))).to.equal(true);
    expect(paths.some((p) => p.startsWith('columns[3].options.choices'))).to.equal(true);
    const after = await db.app.dataplane.knex(`${db.schema}.tables`).count<{ count: string }[]>('* as count');
    expect(after).to.deep.equal(before);
  });

  it('adds, renames, reorders and removes columns, each a new schema version with its change log', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({ name: 'Evolving', columns: [{ name: 'Name', type: 'text' }] });
    const added = await owner.post(`/api/v1/tables/${table.id}/columns`, { name: 'Age', type: 'integer' });
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    const renamed = await owner.put(`/api/v1/tables/${table.id}/columns/${added.body.id}`, { name: 'Years' });
    expect(renamed.body.name).to.equal('Years');
    const order = [added.body.id, table.columns[0]!.id];
    const reordered = await owner.post(`/api/v1/tables/${table.id}/columns/reorder`, { columnIds: order });
    expect(reordered.status).to.equal(200);
    const removed = await owner.delete(`/api/v1/tables/${table.id}/columns/${table.columns[0]!.id}`);
    expect(removed.status).to.equal(204);
    const after = await owner.get(`/api/v1/tables/${table.id}`);
    expect(after.body.columns.map((c: { name: string }) => c.name)).to.deep.equal(['Years']);
    expect(after.body.schemaVersion).to.equal(5);
    const log = await db.app.dataplane
      .knex(`${db.schema}.table_changes`)
      .where({ table_id: table.id })
      .orderBy('version')
      .select('version', 'action');
    expect(log.map((l: { action: string }) => l.action)).to.deep.equal([
      'table.create',
      'column.add',
      'column.update',
      'column.reorder',
      'column.delete',
    ]);
    expect(log.map((l: { version: number }) => l.version)).to.deep.equal([1, 2, 3, 4, 5]);
    const first = await owner.get(`/api/v1/tables/${table.id}/changes?limit=3`);
    const rest = await owner.get(
      `/api/v1/tables/${table.id}/changes?limit=3&cursor=${first.body.nextCursor}`,
    );
    const changes = [...first.body.data, ...rest.body.data] as {
      version: number;
      action: string;
      before: unknown;
    }[];
    expect(changes.map((c) => [c.version, c.action])).to.deep.equal([
      [1, 'table.create'],
      [2, 'column.add'],
      [3, 'column.update'],
      [4, 'column.reorder'],
      [5, 'column.delete'],
    ]);
    expect(changes[2]!.before).to.include({ name: 'Age' });
    expect(rest.body.nextCursor).to.equal(null);
  });

  it('refuses a column name that exists (any case) with 409 or 422, and a column nobody can name', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({ name: 'Names', columns: [{ name: 'Email', type: 'text' }] });
    const dup = await owner.post(`/api/v1/tables/${table.id}/columns`, { name: 'email', type: 'text' });
    expect(dup.status).to.be.oneOf([409, 422]);
    const reserved = await owner.post(`/api/v1/tables/${table.id}/columns`, {
      name: '@version',
      type: 'text',
    });
    expect(reserved.status).to.equal(422);
  });

  it('migrates a column type with ALTER … USING: 422 with examples, or clears the cells when asked', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({ name: 'Retype', columns: [{ name: 'Qty', type: 'text' }] });
    const qty = table.columns[0]!;
    for (const value of ['12', ' 7 ', 'abc', null])
      expect(
        (await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Qty: value } })).status,
      ).to.equal(201);
    const refused = await owner.put(`/api/v1/tables/${table.id}/columns/${qty.id}`, { type: 'integer' });
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('type_change_failed');
    expect(JSON.stringify(refused.body.errors)).to.include('abc');
    const unchanged = await owner.get(`/api/v1/tables/${table.id}`);
    expect(unchanged.body.columns[0].type).to.equal('text');

    const cleared = await owner.put(`/api/v1/tables/${table.id}/columns/${qty.id}`, {
      type: 'integer',
      clearInvalid: true,
    });
    expect(cleared.status, JSON.stringify(cleared.body)).to.equal(200);
    const rows = await owner.get(`/api/v1/tables/${table.id}/rows?sort=Qty`);
    expect(rows.body.data.map((r: { fields: { Qty: unknown } }) => r.fields.Qty)).to.deep.equal([
      7,
      12,
      null,
      null,
    ]);
    const clearedAudit = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ parent_id: table.id, action: 'row.update' });
    expect(clearedAudit).to.have.length(1);
  });

  it('archives a table (its rows answer 404) and restores it; deletes it for good', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({ name: 'Archive me', columns: [{ name: 'N', type: 'text' }] });
    expect((await owner.post(`/api/v1/tables/${table.id}/archive`)).body.archivedAt).to.be.a('string');
    expect((await owner.get(`/api/v1/tables/${table.id}/rows`)).status).to.equal(404);
    const archived = await owner.get(`/api/v1/bases/${db.baseId}/tables?archived=true`);
    expect(archived.body.data.map((t: { id: string }) => t.id)).to.include(table.id);
    expect((await owner.post(`/api/v1/tables/${table.id}/restore`)).body.archivedAt).to.equal(null);
    expect((await owner.get(`/api/v1/tables/${table.id}/rows`)).status).to.equal(200);
    expect((await owner.delete(`/api/v1/tables/${table.id}`)).status).to.equal(204);
    expect((await owner.get(`/api/v1/tables/${table.id}`)).status).to.equal(404);
    const exists = await db.app.dataplane
      .knex('information_schema.tables')
      .where({ table_schema: db.schema, table_name: physicalTable(table.id) })
      .first();
    expect(exists).to.equal(undefined);
  });

  it('enforces a unique column with an index and a pattern rule with a CHECK', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({
      name: 'Constraints',
      columns: [{ name: 'Code', type: 'text', unique: true, rules: { pattern: '^[A-Z]{2}-\\d+$' } }],
    });
    expect(
      (await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Code: 'AB-1' } })).status,
    ).to.equal(201);
    const dup = await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Code: 'AB-1' } });
    expect(dup.status).to.equal(409);
    expect(dup.body.code).to.equal('unique_violation');
    const bad = await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Code: 'nope?' } });
    expect(bad.status).to.equal(422);
    expect(bad.body.code).to.equal('pattern_mismatch');
    const count = await db.app.dataplane
      .knex(`${db.schema}.${physicalTable(table.id)}`)
      .count<{ count: string }[]>('* as count');
    expect(Number(count[0]?.count)).to.equal(1);
  });
});
