import { expect } from 'chai';
import { startMiniDb, type MiniDb, type TableBody, type User } from '../minidb/minidb-fixture.js';
import { viewCaller, type ViewCaller } from './views-fixture.js';

/** Who may see and who may change a view: roles, named members, base roles. */
describe('views: permissions', () => {
  let db: MiniDb;
  let table: TableBody;
  let otherTable: TableBody;
  let otherBase: string;
  const users = {} as Record<'admin' | 'editor' | 'viewer' | 'narrowed', User>;
  const as = {} as Record<'owner' | 'admin' | 'editor' | 'viewer' | 'narrowed', ViewCaller>;

  before(async () => {
    db = await startMiniDb('views-perm-owner');
    as.owner = viewCaller(db.app, db.owner, db.workspaceId);
    for (const role of ['admin', 'editor', 'viewer'] as const) {
      users[role] = await db.member(`views-${role}`, role);
      as[role] = viewCaller(db.app, users[role], db.workspaceId);
    }
    users.narrowed = await db.member('views-narrowed', 'editor');
    as.narrowed = viewCaller(db.app, users.narrowed, db.workspaceId);
    table = await db.as(db.owner).table({ name: 'Notes', columns: [{ name: 'Text', type: 'text' }] });
    await db.as(db.owner).post(`/api/v1/tables/${table.id}/rows`, { fields: { Text: 'hello' } });
    const base = await db
      .as(db.owner)
      .post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name: 'Other base' });
    otherBase = base.body.id;
    const other = await db.as(db.owner).post(`/api/v1/bases/${otherBase}/tables`, {
      name: 'Elsewhere',
      columns: [
        { name: 'Text', type: 'text' },
        { name: 'Score', type: 'integer' },
      ],
    });
    otherTable = other.body;
    await db
      .as(db.owner)
      .post(`/api/v1/tables/${otherTable.id}/rows`, { fields: { Text: 'hello', Score: 7 } });
    const narrowed = await db.as(db.owner).put(`/api/v1/bases/${otherBase}/members/${users.narrowed.id}`, {
      role: 'viewer',
    });
    expect(narrowed.status, JSON.stringify(narrowed.body)).to.equal(200);
  });
  after(() => db.stop());

  const source = () => ({ tableId: table.id });
  const listed = async (caller: ViewCaller) =>
    ((await caller.get('/api/v1/views?limit=1000')).body.data as { id: string }[]).map((v) => v.id);

  it('by default every member sees a view and its data; editors and up change it, viewers get 403', async () => {
    const view = await as.editor.view({ name: 'Open', source: source() });
    for (const caller of [as.owner, as.admin, as.editor, as.viewer]) {
      expect((await caller.get(`/api/v1/views/${view.id}`)).status).to.equal(200);
      expect((await caller.data(view.id)).body.data).to.have.length(1);
      expect(await listed(caller)).to.include(view.id);
    }
    const refused = await as.viewer.put(`/api/v1/views/${view.id}`, { name: 'Mine', source: source() });
    expect(refused.status).to.equal(403);
    expect(
      (await as.admin.put(`/api/v1/views/${view.id}`, { name: 'Admin’s', source: source() })).status,
    ).to.equal(200);
  });

  it('a minimum role to see hides the view (404, not listed) from everyone below it', async () => {
    const view = await as.owner.view({
      name: 'Editors only',
      source: source(),
      access: { read: { minRole: 'editor' } },
    });
    expect(view.access).to.deep.equal({
      read: { minRole: 'editor', members: [] },
      edit: { minRole: 'editor', members: [] },
    });
    for (const path of ['', '/data', '/versions']) {
      const res = await as.viewer.get(`/api/v1/views/${view.id}${path}`);
      expect(res.status, path).to.equal(404);
      expect(res.body.code).to.equal('not_found');
    }
    expect(await listed(as.viewer)).to.not.include(view.id);
    expect((await as.editor.data(view.id)).status).to.equal(200);
    expect(await listed(as.editor)).to.include(view.id);
  });

  it('named members see (or edit) a view whatever the minimum role says, within the role matrix', async () => {
    const view = await as.owner.view({
      name: 'Named',
      source: source(),
      access: {
        read: { minRole: 'admin', members: [users.viewer.id] },
        edit: { minRole: 'owner', members: [users.editor.id] },
      },
    });
    expect((await as.viewer.data(view.id)).status).to.equal(200);
    expect(await listed(as.viewer)).to.include(view.id);
    // The editor is named as an editor of the view: editing implies seeing.
    expect((await as.editor.get(`/api/v1/views/${view.id}`)).status).to.equal(200);
    const byEditor = await as.editor.put(`/api/v1/views/${view.id}`, {
      name: 'Named, edited',
      source: source(),
    });
    expect(byEditor.status, JSON.stringify(byEditor.body)).to.equal(200);
    const byAdmin = await as.admin.put(`/api/v1/views/${view.id}`, { name: 'By admin', source: source() });
    expect(byAdmin.status).to.equal(403);
    expect(byAdmin.body.code).to.equal('forbidden');
    expect((await as.admin.delete(`/api/v1/views/${view.id}`)).status).to.equal(403);
    expect((await as.admin.post(`/api/v1/views/${view.id}/versions/1/restore`)).status).to.equal(403);
  });

  it('refuses rules that would lock their author out, and names that are not members', async () => {
    const lockout = await as.editor.post('/api/v1/views', {
      name: 'Locked',
      source: source(),
      access: { edit: { minRole: 'admin' } },
    });
    expect(lockout.status).to.equal(422);
    expect(lockout.body.errors).to.deep.equal([
      { path: 'access.edit', message: 'would leave you unable to edit this view' },
    ]);
    const stranger = await as.owner.post('/api/v1/views', {
      name: 'Stranger',
      source: source(),
      access: { read: { members: ['01900000-0000-7000-8000-000000000001'] } },
    });
    expect(stranger.status).to.equal(422);
    expect(stranger.body.errors).to.deep.equal([
      { path: 'access.read.members[0]', message: 'is not a member of this workspace' },
    ]);
  });

  it('a base role narrows the role a view over that base is judged with', async () => {
    const onOther = await as.owner.view({ name: 'Other base', source: { tableId: otherTable.id } });
    expect((await as.narrowed.data(onOther.id)).body.data).to.have.length(1);
    const change = await as.narrowed.put(`/api/v1/views/${onOther.id}`, {
      name: 'Nope',
      source: { tableId: otherTable.id },
    });
    expect(change.status).to.equal(403);
    const create = await as.narrowed.post('/api/v1/views', {
      name: 'Mine',
      source: { tableId: otherTable.id },
    });
    expect(create.status).to.equal(403);
    // On the base where no base role narrows them, the same editor creates views.
    expect((await as.narrowed.post('/api/v1/views', { name: 'Mine', source: source() })).status).to.equal(
      201,
    );

    const editorsOnly = await as.owner.view({
      name: 'Editors only, other base',
      source: { tableId: otherTable.id },
      access: { read: { minRole: 'editor' } },
    });
    expect((await as.narrowed.get(`/api/v1/views/${editorsOnly.id}`)).status).to.equal(404);
    expect(await listed(as.narrowed)).to.not.include(editorsOnly.id);
    expect((await as.editor.get(`/api/v1/views/${editorsOnly.id}`)).status).to.equal(200);

    // A view over the open base that joins a table of the narrowing base is judged over both.
    const joined = await as.owner.view({
      name: 'Joined across bases',
      source: source(),
      joins: [{ table: otherTable.id, as: 'o', on: { left: 'Text', right: 'Text' } }],
      visibleColumns: ['Text', 'o.Score'],
      access: { read: { minRole: 'editor' } },
    });
    expect(
      (await as.editor.data(joined.id)).body.data.map((r: { fields: unknown }) => r.fields),
    ).to.deep.equal([{ Text: 'hello', 'o.Score': 7 }]);
    expect((await as.narrowed.data(joined.id)).status).to.equal(404);
    expect(await listed(as.narrowed)).to.not.include(joined.id);
  });

  it('a non-member gets 404 for every view route', async () => {
    const view = await as.owner.view({ name: 'Private', source: source() });
    const stranger = await db.app.request('POST', '/api/v1/auth/register', {
      body: {
        email: `stranger-${Date.now()}@example.test`,
        password: 'correct horse battery staple',
        name: 'S',
      },
    });
    const token = stranger.body.accessToken as string;
    for (const path of [`/api/v1/views/${view.id}`, `/api/v1/views/${view.id}/data`]) {
      const res = await db.app.request('GET', path, { token });
      expect(res.status).to.equal(404);
    }
  });
});
