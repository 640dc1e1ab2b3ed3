import { expect } from 'chai';
import { startMiniDb, type MiniDb, type TableBody } from './minidb-fixture.js';

describe('mini-DB: links, lookups and rollups (real PostgreSQL)', () => {
  let db: MiniDb;
  let projects: TableBody;
  let tasks: TableBody;
  const ids: Record<string, string> = {};
  before(async () => {
    db = await startMiniDb();
    const owner = db.as(db.owner);
    tasks = await owner.table({
      name: 'Tasks',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Hours', type: 'decimal', options: { precision: 1 } },
        { name: 'Due', type: 'date' },
      ],
    });
    for (const [Title, Hours, Due] of [
      ['Design', 3.5, '2024-05-01'],
      ['Build', 10, '2024-06-01'],
      ['Test', 2, null],
    ] as const) {
      const row = await owner.post(`/api/v1/tables/${tasks.id}/rows`, { fields: { Title, Hours, Due } });
      ids[Title] = row.body.id;
    }
    projects = await owner.table({
      name: 'Projects',
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'Tasks', type: 'link', options: { tableId: tasks.id } },
      ],
    });
    const link = projects.columns[1]!.id;
    const added = async (spec: object) => {
      const res = await owner.post(`/api/v1/tables/${projects.id}/columns`, spec);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    };
    await added({ name: 'Task titles', type: 'lookup', options: { link, field: 'Title' } });
    await added({ name: 'Total hours', type: 'rollup', options: { link, field: 'Hours', aggregate: 'sum' } });
    await added({
      name: 'Task count',
      type: 'rollup',
      options: { link, field: 'Title', aggregate: 'count' },
    });
    await added({ name: 'Last due', type: 'rollup', options: { link, field: 'Due', aggregate: 'max' } });
  });
  after(() => db.stop());

  const path = () => `/api/v1/tables/${projects.id}/rows`;

  it('links rows and reads the links, lookups and rollups with the row, in link order', async () => {
    const owner = db.as(db.owner);
    const created = await owner.post(path(), { fields: { Name: 'Launch', Tasks: [ids.Build, ids.Design] } });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.fields).to.deep.equal({
      Name: 'Launch',
      Tasks: [ids.Build, ids.Design],
      'Task titles': ['Build', 'Design'],
      'Total hours': 13.5,
      'Task count': 2,
      'Last due': '2024-06-01',
    });
    const empty = await owner.post(path(), { fields: { Name: 'Idle' } });
    expect(empty.body.fields).to.include({ 'Task count': 0, 'Total hours': null, 'Last due': null });
    expect(empty.body.fields.Tasks).to.deep.equal([]);
    const list = await owner.get(`${path()}?sort=Name`);
    expect(
      list.body.data.map((r: { fields: { Name: string; 'Task count': number } }) => [
        r.fields.Name,
        r.fields['Task count'],
      ]),
    ).to.deep.equal([
      ['Idle', 0],
      ['Launch', 2],
    ]);
    const projected = await owner.get(`${path()}?sort=Name&fields=Name,Task titles`);
    expect(projected.body.data[1].fields).to.deep.equal({
      Name: 'Launch',
      'Task titles': ['Build', 'Design'],
    });
  });

  it('filters and sorts by a lookup (its values in link order, as text)', async () => {
    const owner = db.as(db.owner);
    await owner.post(path(), { fields: { Name: 'Polish', Tasks: [ids.Test] } });
    await owner.post(path(), { fields: { Name: 'Rewrite', Tasks: [ids.Design, ids.Test] } });
    const names = (body: { data: { fields: { Name: string } }[] }) => body.data.map((r) => r.fields.Name);
    const having = (op: string, value?: unknown) =>
      owner.get(
        `${path()}?sort=Name&filter=${encodeURIComponent(
          JSON.stringify({ field: 'Task titles', op, ...(value === undefined ? {} : { value }) }),
        )}`,
      );
    const test = await having('contains', 'test');
    expect(test.status, JSON.stringify(test.body)).to.equal(200);
    expect(names(test.body)).to.deep.equal(['Polish', 'Rewrite']);
    expect(names((await having('eq', 'Test')).body)).to.deep.equal(['Polish']);
    expect(names((await having('isEmpty')).body)).to.include('Idle');
    expect(names((await having('isEmpty')).body)).to.not.include('Launch');
    // Sorted by the joined text ("Build, Design" < "Design, Test" < "Test"), rows without links last.
    const sorted = await owner.get(`${path()}?sort=Task titles,Name`);
    expect(sorted.status).to.equal(200);
    expect(names(sorted.body)).to.deep.equal(['Launch', 'Rewrite', 'Polish', 'Idle']);
    const fieldsOf = (body: { data: { fields: Record<string, unknown> }[] }) => body.data[1]?.fields;
    expect(fieldsOf(sorted.body)).to.include({ Name: 'Rewrite' });
    expect(fieldsOf(sorted.body)?.['Task titles']).to.deep.equal(['Design', 'Test']); // still an array
    for (const name of ['Polish', 'Rewrite']) {
      const row = sorted.body.data.find((r: { fields: { Name: string } }) => r.fields.Name === name);
      expect((await owner.delete(`${path()}/${row.id}`)).status).to.equal(204);
    }
  });

  it('filters and sorts by a rollup, and formulas can use one (rollups are computed in SQL)', async () => {
    const owner = db.as(db.owner);
    const t = await owner.table({
      name: 'Teams',
      columns: [
        { name: 'Team', type: 'text' },
        { name: 'Work', type: 'link', options: { tableId: tasks.id } },
      ],
    });
    const work = t.columns[1]!.id;
    const hours = await owner.post(`/api/v1/tables/${t.id}/columns`, {
      name: 'Hours',
      type: 'rollup',
      options: { link: work, field: 'Hours', aggregate: 'sum' },
    });
    expect(hours.status).to.equal(201);
    const days = await owner.post(`/api/v1/tables/${t.id}/columns`, {
      name: 'Days',
      type: 'formula',
      options: { formula: 'ROUND({Hours} / 8, 2)' },
    });
    expect(days.status, JSON.stringify(days.body)).to.equal(201);
    const path = `/api/v1/tables/${t.id}/rows`;
    await owner.post(path, { fields: { Team: 'Small', Work: [ids.Test] } });
    await owner.post(path, { fields: { Team: 'Big', Work: [ids.Design, ids.Build] } });
    await owner.post(path, { fields: { Team: 'Idle' } });
    const sorted = await owner.get(`${path}?sort=-Hours`);
    expect(sorted.body.data.map((r: { fields: { Team: string } }) => r.fields.Team)).to.deep.equal([
      'Big',
      'Small',
      'Idle',
    ]);
    expect(sorted.body.data[0].fields).to.include({ Hours: 13.5, Days: 1.69 });
    const filter = encodeURIComponent(JSON.stringify({ field: 'Hours', op: 'gte', value: 2 }));
    const busy = await owner.get(`${path}?filter=${filter}&sort=Hours`);
    expect(busy.body.data.map((r: { fields: { Team: string } }) => r.fields.Team)).to.deep.equal([
      'Small',
      'Big',
    ]);
    // A second page continues by the rollup too (keyset on a computed key).
    const first = await owner.get(`${path}?sort=Hours&limit=1`);
    const second = await owner.get(`${path}?sort=Hours&limit=2&cursor=${first.body.nextCursor}`);
    expect(
      [...first.body.data, ...second.body.data].map((r: { fields: { Team: string } }) => r.fields.Team),
    ).to.deep.equal(['Small', 'Big', 'Idle']);
  });

  it('changes links with a versioned update, audits the linked ids, and unlinks deleted rows', async () => {
    const owner = db.as(db.owner);
    const created = await owner.post(path(), { fields: { Name: 'Relinked', Tasks: [ids.Test] } });
    const changed = await owner.patch(`${path()}/${created.body.id}`, {
      fields: { Tasks: [ids.Design, ids.Test] },
      version: 1,
    });
    expect(changed.status).to.equal(200);
    expect(changed.body.version).to.equal(2);
    expect(changed.body.fields['Task titles']).to.deep.equal(['Design', 'Test']);
    const [entry] = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ resource_id: created.body.id, action: 'row.update' });
    const link = projects.columns[1]!.id;
    expect(entry.before.fields[link]).to.deep.equal([ids.Test]);
    expect(entry.after.fields[link]).to.deep.equal([ids.Design, ids.Test]);

    const scratch = await owner.post(`/api/v1/tables/${tasks.id}/rows`, {
      fields: { Title: 'Scratch', Hours: 1 },
    });
    await owner.patch(`${path()}/${created.body.id}`, { fields: { Tasks: [scratch.body.id] } });
    expect((await owner.delete(`/api/v1/tables/${tasks.id}/rows/${scratch.body.id}`)).status).to.equal(204);
    const after = await owner.get(`${path()}/${created.body.id}`);
    expect(after.body.fields.Tasks).to.deep.equal([]);
  });

  it('refuses links to rows that do not exist and linked columns that point nowhere, writing nothing', async () => {
    const owner = db.as(db.owner);
    const bad = await owner.post(path(), {
      fields: { Name: 'Ghost', Tasks: ['0190b6a4-0000-7000-8000-000000000000'] },
    });
    expect(bad.status).to.equal(422);
    const ghosts = await owner.get(`${path()}?search=Ghost`);
    expect(ghosts.body.data).to.have.length(0);
    const badLookup = await owner.post(`/api/v1/tables/${projects.id}/columns`, {
      name: 'Nope',
      type: 'lookup',
      options: { link: projects.columns[1]!.id, field: 'Missing' },
    });
    expect(badLookup.status).to.equal(422);
    const badRollup = await owner.post(`/api/v1/tables/${projects.id}/columns`, {
      name: 'Nope',
      type: 'rollup',
      options: { link: projects.columns[1]!.id, field: 'Title', aggregate: 'sum' },
    });
    expect(badRollup.status).to.equal(422);
    const badLink = await owner.post(`/api/v1/tables/${projects.id}/columns`, {
      name: 'Nope',
      type: 'link',
      options: { tableId: '0190b6a4-0000-7000-8000-000000000000' },
    });
    expect(badLink.status).to.equal(422);
    const readOnly = await owner.post(path(), { fields: { Name: 'x', 'Task count': 3 } });
    expect(readOnly.status).to.equal(422);
  });
});
