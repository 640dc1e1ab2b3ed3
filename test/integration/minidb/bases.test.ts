import { expect } from 'chai';
import { registerUser } from '../../support/test-app.js';
import { startMiniDb, type MiniDb } from './minidb-fixture.js';

describe('mini-DB: templates, duplicates and base-level roles (real PostgreSQL)', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb();
  });
  after(() => db.stop());

  const tablesOf = async (baseId: string) =>
    (await db.as(db.owner).get(`/api/v1/bases/${baseId}/tables`)).body.data as {
      id: string;
      name: string;
      columns: { name: string; type: string }[];
    }[];

  it('lists the built-in templates and creates a working base from one', async () => {
    const owner = db.as(db.owner);
    const list = await owner.get(`/api/v1/workspaces/${db.workspaceId}/templates`);
    expect(list.body.data.map((t: { id: string }) => t.id)).to.include.members(['project-tracker', 'crm']);
    const created = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases/from-template`, {
      templateId: 'project-tracker',
      name: 'Launch',
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.name).to.equal('Launch');
    const tables = await tablesOf(created.body.id);
    expect(tables.map((t) => t.name)).to.deep.equal(['Tasks', 'Milestones']);
    const tasks = tables[0]!;
    const rows = await owner.get(`/api/v1/tables/${tasks.id}/rows?sort=Number`);
    expect(rows.body.data.map((r: { fields: { Title: string } }) => r.fields.Title)).to.deep.equal([
      'Write the brief',
      'Review the plan',
      'Ship it',
    ]);
    const added = await owner.post(`/api/v1/tables/${tasks.id}/rows`, { fields: { Title: 'More' } });
    expect(added.body.fields.Status).to.equal('Todo'); // the template's default
    const crm = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases/from-template`, {
      templateId: 'crm',
    });
    expect(crm.status).to.equal(201);
    expect(
      (await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases/from-template`, { templateId: 'nope' }))
        .status,
    ).to.equal(404);
  });

  it('duplicates a base with its structure only, or with every row copied', async () => {
    const owner = db.as(db.owner);
    const source = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name: 'Source' });
    const table = await owner.post(`/api/v1/bases/${source.body.id}/tables`, {
      name: 'Items',
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'N', type: 'autoNumber' },
        { name: 'Twice', type: 'formula', options: { formula: '{N} * 2' } },
      ],
    });
    for (const name of ['a', 'b', 'c'])
      await owner.post(`/api/v1/tables/${table.body.id}/rows`, { fields: { Name: name } });

    const empty = await owner.post(`/api/v1/bases/${source.body.id}/duplicate`, {});
    expect(empty.body.name).to.equal('Source (copy)');
    const [emptyTable] = await tablesOf(empty.body.id);
    expect(emptyTable!.columns.map((c) => c.type)).to.deep.equal(['text', 'autoNumber', 'formula']);
    expect((await owner.get(`/api/v1/tables/${emptyTable!.id}/rows`)).body.data).to.have.length(0);

    const full = await owner.post(`/api/v1/bases/${source.body.id}/duplicate`, {
      name: 'Full',
      withData: true,
    });
    const [fullTable] = await tablesOf(full.body.id);
    const copied = await owner.get(`/api/v1/tables/${fullTable!.id}/rows?sort=N`);
    expect(copied.body.data.map((r: { fields: object }) => r.fields)).to.deep.equal([
      { Name: 'a', N: 1, Twice: 2 },
      { Name: 'b', N: 2, Twice: 4 },
      { Name: 'c', N: 3, Twice: 6 },
    ]);
    const next = await owner.post(`/api/v1/tables/${fullTable!.id}/rows`, { fields: { Name: 'd' } });
    expect(next.body.fields.N).to.equal(4); // the numbering continues after the copied rows
  });

  it('saves a base as a template of the workspace and builds a new base from it', async () => {
    const owner = db.as(db.owner);
    const source = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name: 'Recipe' });
    const table = await owner.post(`/api/v1/bases/${source.body.id}/tables`, {
      name: 'Steps',
      columns: [{ name: 'Step', type: 'text' }],
    });
    await owner.post(`/api/v1/tables/${table.body.id}/rows`, { fields: { Step: 'mix' } });
    const saved = await owner.post(`/api/v1/bases/${source.body.id}/save-as-template`, {
      name: 'My recipe',
      withData: true,
    });
    expect(saved.status).to.equal(201);
    expect(saved.body).to.include({ builtIn: false, name: 'My recipe' });
    const listed = await owner.get(`/api/v1/workspaces/${db.workspaceId}/templates`);
    expect(listed.body.data.map((t: { id: string }) => t.id)).to.include(saved.body.id);
    const made = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases/from-template`, {
      templateId: saved.body.id,
    });
    const [steps] = await tablesOf(made.body.id);
    expect((await owner.get(`/api/v1/tables/${steps!.id}/rows`)).body.data[0].fields).to.deep.equal({
      Step: 'mix',
    });
  });

  it("narrows a member's role on one base: an editor of the workspace who is a viewer there", async () => {
    const owner = db.as(db.owner);
    const editor = await db.member('narrowed-editor', 'editor');
    const [narrow, open] = await Promise.all(
      ['Narrow', 'Open'].map((name) => owner.post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name })),
    );
    const tableIn = async (baseId: string) =>
      (
        await owner.post(`/api/v1/bases/${baseId}/tables`, {
          name: 'T',
          columns: [{ name: 'X', type: 'text' }],
        })
      ).body.id as string;
    const [narrowTable, openTable] = [await tableIn(narrow!.body.id), await tableIn(open!.body.id)];

    const set = await owner.put(`/api/v1/bases/${narrow!.body.id}/members/${editor.id}`, { role: 'viewer' });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    expect(set.body).to.deep.equal({ userId: editor.id, role: 'viewer', workspaceRole: 'editor' });

    const asEditor = db.as(editor);
    expect((await asEditor.get(`/api/v1/tables/${narrowTable}/rows`)).status).to.equal(200);
    expect(
      (await asEditor.post(`/api/v1/tables/${narrowTable}/rows`, { fields: { X: 'no' } })).status,
    ).to.equal(403);
    expect(
      (await asEditor.post(`/api/v1/tables/${openTable}/rows`, { fields: { X: 'yes' } })).status,
    ).to.equal(201);

    // A base role never widens: an admin role on a base leaves an editor an editor.
    await owner.put(`/api/v1/bases/${open!.body.id}/members/${editor.id}`, { role: 'admin' });
    expect(
      (await asEditor.post(`/api/v1/tables/${openTable}/columns`, { name: 'Y', type: 'text' })).status,
    ).to.equal(403);

    expect((await owner.delete(`/api/v1/bases/${narrow!.body.id}/members/${editor.id}`)).status).to.equal(
      204,
    );
    expect(
      (await asEditor.post(`/api/v1/tables/${narrowTable}/rows`, { fields: { X: 'now yes' } })).status,
    ).to.equal(201);
    const list = await owner.get(`/api/v1/bases/${open!.body.id}/members`);
    expect(list.body.data).to.deep.equal([{ userId: editor.id, role: 'admin', workspaceRole: 'editor' }]);
  });

  it('keeps admins from narrowing an owner, and refuses non-members', async () => {
    const owner = db.as(db.owner);
    const admin = await db.member('base-admin', 'admin');
    const base = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name: 'Guarded' });
    const onOwner = await db
      .as(admin)
      .put(`/api/v1/bases/${base.body.id}/members/${db.owner.id}`, { role: 'viewer' });
    expect(onOwner.status).to.equal(403);
    const outsider = await registerUser(db.app, 'base-outsider');
    const onOutsider = await owner.put(`/api/v1/bases/${base.body.id}/members/${outsider.id}`, {
      role: 'viewer',
    });
    expect(onOutsider.status).to.equal(404);
  });
});
