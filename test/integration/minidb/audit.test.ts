import { expect } from 'chai';
import { registerUser } from '../../support/test-app.js';
import { startMiniDb, type MiniDb, type TableBody, type User } from './minidb-fixture.js';

interface Entry {
  id: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  parentId: string | null;
  actorId: string | null;
  before: { version?: number; fields: Record<string, unknown> } | null;
  after: { version?: number; fields: Record<string, unknown> } | null;
  requestId: string | null;
  createdAt: string;
}

describe('mini-DB: audit log, histories and row reverts over HTTP (real PostgreSQL)', () => {
  let db: MiniDb;
  let editor: User;
  let viewer: User;
  let table: TableBody;
  let rowsPath: string;
  before(async () => {
    db = await startMiniDb();
    editor = await db.member('editor', 'editor');
    viewer = await db.member('viewer', 'viewer');
    table = await db.as(db.owner).table({
      name: 'Tasks',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Points', type: 'integer' },
        { name: 'Nr', type: 'autoNumber' },
      ],
    });
    rowsPath = `/api/v1/tables/${table.id}/rows`;
  });
  after(() => db.stop());

  /** A call naming the workspace with X-Workspace-Id, as the audit and row routes need. */
  const call = (user: User, method: string, path: string, body?: unknown, workspaceId = db.workspaceId) =>
    db.app.request(method, path, {
      token: user.accessToken,
      headers: { 'x-workspace-id': workspaceId },
      ...(body === undefined ? {} : { body }),
    });
  const column = (name: string, t = table) => t.columns.find((c) => c.name === name)?.id as string;
  const createRow = async (fields: Record<string, unknown>, user = db.owner) => {
    const res = await db.as(user).post(rowsPath, { fields });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; version: number; fields: Record<string, unknown> };
  };
  const history = async (rowId: string): Promise<Entry[]> => {
    const res = await call(db.owner, 'GET', `/api/v1/rows/${rowId}/history`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.data as Entry[];
  };
  const entryOf = async (rowId: string, action: string): Promise<Entry> => {
    const found = (await history(rowId)).find((e) => e.action === action);
    expect(found, `${action} of ${rowId}`).to.not.equal(undefined);
    return found as Entry;
  };
  const auditCount = async () =>
    Number(
      (await db.app.dataplane.knex(`${db.schema}.audit_logs`).count<{ count: string }[]>('* as count'))[0]
        ?.count,
    );

  it('lists the audit log newest first, filtered by action, prefix, actor, resource and time', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const row = await createRow({ Title: 'listed', Points: 1 });
    const patched = await db.as(editor).patch(`${rowsPath}/${row.id}`, { fields: { Title: 'by editor' } });
    expect(patched.status).to.equal(200);
    const all = await call(db.owner, 'GET', '/api/v1/audit-logs?limit=1000');
    expect(all.status, JSON.stringify(all.body)).to.equal(200);
    const data = all.body.data as Entry[];
    expect(all.body.nextCursor).to.equal(null);
    expect(Object.keys(data[0] as Entry)).to.have.members([
      'id',
      'action',
      'resourceType',
      'resourceId',
      'parentId',
      'actorId',
      'before',
      'after',
      'requestId',
      'createdAt',
    ]);
    const times = data.map((e) => e.createdAt);
    expect(times).to.deep.equal([...times].sort().reverse());
    expect(data.map((e) => e.action)).to.include.members(['table.create', 'row.create', 'row.update']);
    expect(data[0]).to.include({
      action: 'row.update',
      resourceId: row.id,
      parentId: table.id,
      actorId: editor.id,
    });
    expect(data[0]?.before?.fields[column('Title')]).to.equal('listed');
    expect(data[0]?.after?.fields[column('Title')]).to.equal('by editor');
    expect(data[0]?.requestId).to.be.a('string');

    const exact = (await call(db.owner, 'GET', '/api/v1/audit-logs?action=row.update')).body.data as Entry[];
    expect(exact.length).to.be.greaterThan(0);
    expect(exact.every((e) => e.action === 'row.update')).to.equal(true);
    const prefix = (await call(db.owner, 'GET', '/api/v1/audit-logs?action=row.')).body.data as Entry[];
    expect(new Set(prefix.map((e) => e.action))).to.deep.equal(new Set(['row.create', 'row.update']));
    const byActor = (await call(db.owner, 'GET', `/api/v1/audit-logs?actorId=${editor.id}`)).body
      .data as Entry[];
    expect(byActor.map((e) => e.action)).to.deep.equal(['row.update']);
    const byResource = (
      await call(db.owner, 'GET', `/api/v1/audit-logs?resourceType=row&resourceId=${row.id}`)
    ).body.data as Entry[];
    expect(byResource.map((e) => e.action)).to.deep.equal(['row.update', 'row.create']);
    const inRange = (await call(db.owner, 'GET', `/api/v1/audit-logs?from=${encodeURIComponent(since)}`)).body
      .data as Entry[];
    expect(inRange.map((e) => e.action)).to.deep.equal(['row.update', 'row.create']);
    const before = (await call(db.owner, 'GET', `/api/v1/audit-logs?to=${encodeURIComponent(since)}`)).body
      .data as Entry[];
    expect(before.map((e) => e.id)).to.not.include.members(inRange.map((e) => e.id));
  });

  it('pages by keyset without gaps or repeats, also through entries of one transaction', async () => {
    const bulk = await db.as(db.owner).post(`${rowsPath}/bulk`, {
      operation: 'create',
      rows: Array.from({ length: 7 }, (_, i) => ({ fields: { Title: `bulk ${i}` } })),
    });
    expect(bulk.status).to.equal(200);
    const all = (await call(db.owner, 'GET', '/api/v1/audit-logs?limit=1000')).body.data as Entry[];
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await call(db.owner, 'GET', `/api/v1/audit-logs?limit=3${query}`);
      expect(page.status).to.equal(200);
      expect(page.body.data.length).to.be.at.most(3);
      paged.push(...(page.body.data as Entry[]).map((e) => e.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(paged).to.deep.equal(all.map((e) => e.id));
    expect(new Set(paged).size).to.equal(paged.length);
  });

  it('refuses bad cursors (400), bad filters (422), a missing workspace (400) and non-admins (403)', async () => {
    const forged = Buffer.from(JSON.stringify(['2026-02-30T00:00:00.000000Z', table.id])).toString(
      'base64url',
    );
    for (const cursor of ['nope', forged, Buffer.from('[1,2]').toString('base64url')]) {
      const res = await call(db.owner, 'GET', `/api/v1/audit-logs?cursor=${cursor}`);
      expect(res.status, cursor).to.equal(400);
      expect(res.body.code).to.equal('invalid_cursor');
    }
    for (const query of [
      'limit=1001',
      'limit=0',
      'from=yesterday',
      'actorId=nope',
      'to=2026-02-30T00:00:00Z',
    ])
      expect((await call(db.owner, 'GET', `/api/v1/audit-logs?${query}`)).status, query).to.equal(422);
    const noHeader = await db.app.request('GET', '/api/v1/audit-logs', { token: db.owner.accessToken });
    expect([noHeader.status, noHeader.body.code]).to.deep.equal([400, 'workspace_required']);
    expect((await call(editor, 'GET', '/api/v1/audit-logs')).status).to.equal(403);
    expect((await call(viewer, 'GET', '/api/v1/audit-logs')).status).to.equal(403);
  });

  it("answers a table's history (schema and rows) and a row's history, newest first", async () => {
    const t = await db.as(db.owner).table({ name: 'History', columns: [{ name: 'Title', type: 'text' }] });
    const added = await db
      .as(db.owner)
      .post(`/api/v1/tables/${t.id}/columns`, { name: 'Extra', type: 'integer' });
    expect(added.status).to.equal(201);
    const row = await db.as(db.owner).post(`/api/v1/tables/${t.id}/rows`, { fields: { Title: 'x' } });
    const patched = await db.as(db.owner).patch(`/api/v1/tables/${t.id}/rows/${row.body.id}`, {
      fields: { Title: 'y' },
    });
    expect(patched.status).to.equal(200);
    const res = await call(viewer, 'GET', `/api/v1/tables/${t.id}/history`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect((res.body.data as Entry[]).map((e) => e.action)).to.deep.equal([
      'row.update',
      'row.create',
      'column.add',
      'table.create',
    ]);
    const rows = (await call(viewer, 'GET', `/api/v1/tables/${t.id}/history?action=row.&limit=1`)).body;
    expect(rows.data.map((e: Entry) => e.action)).to.deep.equal(['row.update']);
    expect(rows.nextCursor).to.be.a('string');

    const rowHistory = await call(viewer, 'GET', `/api/v1/rows/${row.body.id}/history`);
    expect(rowHistory.status).to.equal(200);
    expect((rowHistory.body.data as Entry[]).map((e) => [e.action, e.after?.version])).to.deep.equal([
      ['row.update', 2],
      ['row.create', 1],
    ]);

    const archived = await db.as(db.owner).post(`/api/v1/tables/${t.id}/archive`);
    expect(archived.status).to.equal(200);
    const ofArchived = await call(viewer, 'GET', `/api/v1/tables/${t.id}/history`);
    expect(ofArchived.status).to.equal(200);
    expect(ofArchived.body.data[0].action).to.equal('table.archive');

    const unknown = '0190b7a0-0000-7000-8000-000000000000';
    expect((await call(viewer, 'GET', `/api/v1/tables/${unknown}/history`)).status).to.equal(404);
    expect((await call(viewer, 'GET', `/api/v1/rows/${unknown}/history`)).status).to.equal(404);
    expect((await call(viewer, 'GET', '/api/v1/rows/not-a-uuid/history')).status).to.equal(404);
  });

  it('reverts a row to an earlier state as a new audited change (version + 1), checking the version', async () => {
    const row = await createRow({ Title: 'first', Points: 1 });
    const created = await entryOf(row.id, 'row.create');
    const patched = await db
      .as(editor)
      .patch(`${rowsPath}/${row.id}`, { fields: { Title: 'second', Points: 2 } });
    expect(patched.body.version).to.equal(2);
    const audits = await auditCount();

    const stale = await call(editor, 'POST', `/api/v1/rows/${row.id}/revert/${created.id}`, { version: 1 });
    expect(stale.status).to.equal(409);
    expect(stale.body.code).to.equal('version_conflict');
    expect(stale.body.current.version).to.equal(2);
    const staleIfMatch = await db.app.request('POST', `/api/v1/rows/${row.id}/revert/${created.id}`, {
      token: editor.accessToken,
      headers: { 'x-workspace-id': db.workspaceId, 'if-match': '"1"' },
      body: {},
    });
    expect([staleIfMatch.status, staleIfMatch.body.code]).to.deep.equal([409, 'version_conflict']);
    expect(await auditCount()).to.equal(audits);

    const res = await call(editor, 'POST', `/api/v1/rows/${row.id}/revert/${created.id}`, { version: 2 });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.action).to.equal('row.update');
    expect(res.body.skippedColumns).to.deep.equal([{ columnId: column('Nr'), reason: 'read_only' }]);
    expect(res.body.row).to.include({ id: row.id, version: 3 });
    expect(res.body.row.fields).to.include({ Title: 'first', Points: 1, Nr: row.fields.Nr });
    const fetched = await db.as(db.owner).get(`${rowsPath}/${row.id}`);
    expect(fetched.body).to.include({ version: 3 });
    expect(fetched.body.fields).to.include({ Title: 'first', Points: 1 });
    const [latest] = await history(row.id);
    expect(latest).to.include({ action: 'row.update', actorId: editor.id });
    expect(latest?.before?.fields[column('Title')]).to.equal('second');
    expect(latest?.after).to.deep.include({ version: 3 });
    expect(latest?.after?.fields[column('Title')]).to.equal('first');
    expect(await auditCount()).to.equal(audits + 1);
  });

  it('brings a deleted row back with the same id (row.create), and refuses a version for it', async () => {
    const row = await createRow({ Title: 'doomed', Points: 7 });
    expect((await db.as(db.owner).delete(`${rowsPath}/${row.id}`)).status).to.equal(204);
    expect((await db.as(db.owner).get(`${rowsPath}/${row.id}`)).status).to.equal(404);
    const deleted = await entryOf(row.id, 'row.delete');

    const withVersion = await call(editor, 'POST', `/api/v1/rows/${row.id}/revert/${deleted.id}`, {
      version: 1,
    });
    expect([withVersion.status, withVersion.body.code]).to.deep.equal([409, 'version_conflict']);

    const res = await call(editor, 'POST', `/api/v1/rows/${row.id}/revert/${deleted.id}`, {});
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.action).to.equal('row.create');
    expect(res.body.row).to.include({ id: row.id, version: 1 });
    const fetched = await db.as(db.owner).get(`${rowsPath}/${row.id}`);
    expect(fetched.status).to.equal(200);
    expect(fetched.body.fields).to.include({ Title: 'doomed', Points: 7 });
    expect((await history(row.id)).map((e) => e.action)).to.deep.equal([
      'row.create',
      'row.delete',
      'row.create',
    ]);
  });

  it('skips columns deleted since and refuses values that no longer fit a retyped column (422)', async () => {
    const t = await db.as(db.owner).table({
      name: 'Drift',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Notes', type: 'text' },
        { name: 'Code', type: 'text' },
      ],
    });
    const path = `/api/v1/tables/${t.id}/rows`;
    const row = (await db.as(db.owner).post(path, { fields: { Title: 'a', Notes: 'n', Code: 'abc' } })).body;
    const created = await entryOf(row.id, 'row.create');
    await db.as(db.owner).patch(`${path}/${row.id}`, { fields: { Title: 'b' } });
    const notes = column('Notes', t);
    expect((await db.as(db.owner).delete(`/api/v1/tables/${t.id}/columns/${notes}`)).status).to.equal(204);
    const skipped = await call(db.owner, 'POST', `/api/v1/rows/${row.id}/revert/${created.id}`);
    expect(skipped.status, JSON.stringify(skipped.body)).to.equal(200);
    expect(skipped.body.skippedColumns).to.deep.equal([{ columnId: notes, reason: 'column_deleted' }]);
    expect(skipped.body.row.fields).to.deep.equal({ Title: 'a', Code: 'abc' });

    const retyped = await db.as(db.owner).put(`/api/v1/tables/${t.id}/columns/${column('Code', t)}`, {
      type: 'integer',
      clearInvalid: true,
    });
    expect(retyped.status, JSON.stringify(retyped.body)).to.equal(200);
    const audits = await auditCount();
    const refused = await call(db.owner, 'POST', `/api/v1/rows/${row.id}/revert/${created.id}`);
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('revert_value_invalid');
    expect(refused.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['fields.Code']);
    expect(refused.body.detail).to.contain('"Code"');
    expect(await auditCount()).to.equal(audits);
  });

  it('keeps reverts inside the workspace: other ids are 404, viewers get 403, rows must match', async () => {
    const row = await createRow({ Title: 'mine' });
    const created = await entryOf(row.id, 'row.create');
    expect((await call(viewer, 'POST', `/api/v1/rows/${row.id}/revert/${created.id}`, {})).status).to.equal(
      403,
    );

    const stranger = await startStrangerWorkspace();
    // The stranger's own workspace has neither the row nor the entry.
    for (const [rowId, entryId] of [
      [row.id, created.id],
      [stranger.rowId, created.id],
    ]) {
      const res = await call(
        stranger.user,
        'POST',
        `/api/v1/rows/${rowId}/revert/${entryId}`,
        {},
        stranger.workspaceId,
      );
      expect(res.status).to.equal(404);
      expect(res.body.code).to.equal('not_found');
    }
    expect(
      (await call(stranger.user, 'GET', `/api/v1/rows/${row.id}/history`, undefined, stranger.workspaceId))
        .status,
    ).to.equal(404);
    // Naming this workspace does not help a non-member.
    expect(
      (await call(stranger.user, 'POST', `/api/v1/rows/${row.id}/revert/${created.id}`, {})).status,
    ).to.equal(404);
    // The stranger's row and entry, named in this workspace: not here.
    expect(
      (await call(db.owner, 'POST', `/api/v1/rows/${stranger.rowId}/revert/${stranger.entryId}`, {})).status,
    ).to.equal(404);
    expect((await call(db.owner, 'GET', `/api/v1/rows/${stranger.rowId}/history`)).status).to.equal(404);
    // An entry of another row of this workspace does not revert this row.
    const other = await createRow({ Title: 'other' });
    expect(
      (await call(db.owner, 'POST', `/api/v1/rows/${other.id}/revert/${created.id}`, {})).status,
    ).to.equal(404);
    expect((await call(db.owner, 'POST', `/api/v1/rows/${row.id}/revert/not-an-id`, {})).status).to.equal(
      404,
    );
  });

  /** Another user with a workspace, a table, a row and its row.create entry of their own. */
  async function startStrangerWorkspace() {
    const user = await registerUser(db.app, 'stranger');
    const ws = await db.app.request('POST', '/api/v1/workspaces', {
      token: user.accessToken,
      body: { name: 'Other' },
    });
    const workspaceId = ws.body.id as string;
    const base = await db.as(user).post(`/api/v1/workspaces/${workspaceId}/bases`, { name: 'B' });
    const t = await db.as(user).post(`/api/v1/bases/${base.body.id}/tables`, {
      name: 'T',
      columns: [{ name: 'Title', type: 'text' }],
    });
    const row = await db.as(user).post(`/api/v1/tables/${t.body.id}/rows`, { fields: { Title: 'theirs' } });
    const entries = await call(user, 'GET', `/api/v1/rows/${row.body.id}/history`, undefined, workspaceId);
    return { user, workspaceId, rowId: row.body.id as string, entryId: entries.body.data[0].id as string };
  }
});
