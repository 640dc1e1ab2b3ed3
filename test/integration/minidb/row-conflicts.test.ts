import { expect } from 'chai';
import { purgeExpiredAuditEntries } from '../../../dataplane/src/services/workspaces/audit-retention.js';
import { startMiniDb, type Caller, type MiniDb, type TableBody, type User } from './minidb-fixture.js';

type Policy = 'merge' | 'lastWriteWins' | 'reject';

describe('mini-DB: row write conflicts by table policy, and their resolution (real PostgreSQL)', () => {
  let db: MiniDb;
  let owner: Caller;
  let editor: User;
  let viewer: User;
  before(async () => {
    db = await startMiniDb('conflict-owner');
    owner = db.as(db.owner);
    editor = await db.member('conflict-editor', 'editor');
    viewer = await db.member('conflict-viewer', 'viewer');
  });
  after(() => db.stop());

  let tableCount = 0;
  /** A table with three text columns and an integer, under `policy` (unset: the default). */
  async function tableWith(
    policy?: Policy,
    extra: unknown[] = [],
  ): Promise<{ table: TableBody; path: string }> {
    const table = await owner.table({
      name: `Conflicts ${++tableCount}`,
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Notes', type: 'text' },
        { name: 'Owner', type: 'text' },
        { name: 'Points', type: 'integer' },
        ...extra,
      ],
      ...(policy ? { settings: { conflictPolicy: policy } } : {}),
    });
    return { table, path: `/api/v1/tables/${table.id}/rows` };
  }

  const createRow = async (path: string, fields: Record<string, unknown>) => {
    const created = await owner.post(path, { fields });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body as { id: string; version: number; fields: Record<string, unknown> };
  };

  const updatesOf = async (rowId: string) =>
    db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ resource_id: rowId, action: 'row.update' })
      .orderBy('created_at')
      .select('actor_id', 'before', 'after');

  const expectProblem = (
    res: { status: number; headers: Headers; body: { code: string } },
    status: number,
  ) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  };

  it('merges two edits of different fields based on one version: both apply, version + 2', async () => {
    const { path } = await tableWith();
    const row = await createRow(path, { Title: 'draft', Notes: 'none', Points: 1 });
    const first = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Title: 'final' }, version: 1 });
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body.version).to.equal(2);
    const second = await owner.patch(`${path}/${row.id}`, {
      fields: { Notes: 'reviewed', Points: 5 },
      version: 1,
    });
    expect(second.status, JSON.stringify(second.body)).to.equal(200);
    expect(second.body).to.include({ version: 3 });
    expect(second.body.fields).to.include({ Title: 'final', Notes: 'reviewed', Points: 5 });
    const read = await owner.get(`${path}/${row.id}`);
    expect(read.body).to.include({ version: 3 });
    expect(read.body.fields).to.include({ Title: 'final', Notes: 'reviewed', Points: 5, Owner: null });
    // Each write is its own audited update, based on the version before it.
    const updates = await updatesOf(row.id);
    expect(updates.map((u: { actor_id: string }) => u.actor_id)).to.deep.equal([editor.id, db.owner.id]);
    expect(updates.map((u: { before: { version: number } }) => u.before.version)).to.deep.equal([1, 2]);
  });

  it('refuses an edit of a field changed since its version: 409 with theirs, mine, baseVersion and conflictingFields', async () => {
    const { table, path } = await tableWith();
    const row = await createRow(path, { Title: 'draft', Notes: 'none' });
    await db.as(editor).patch(`${path}/${row.id}`, { fields: { Title: 'theirs' }, version: 1 });
    const audits = (await updatesOf(row.id)).length;

    const lost = await owner.patch(`${path}/${row.id}`, {
      fields: { Title: 'mine', Notes: 'also' },
      version: 1,
    });
    expectProblem(lost, 409);
    expect(lost.body).to.include({ code: 'version_conflict', baseVersion: 1 });
    expect(lost.body.type).to.equal('https://livetables.dev/problems/version-conflict');
    expect(lost.body.current.version).to.equal(2); // as before: the row as it is
    expect(lost.body.theirs).to.include({ id: row.id, version: 2 });
    expect(lost.body.theirs.fields).to.include({ Title: 'theirs', Notes: 'none' });
    expect(lost.body.mine).to.deep.equal({ Title: 'mine', Notes: 'also' });
    expect(lost.body.conflictingFields).to.deep.equal(['Title']);
    expect(lost.body.detail).to.include('"Title"');
    expect((await updatesOf(row.id)).length).to.equal(audits);
    expect((await owner.get(`${path}/${row.id}`)).body.fields).to.include({ Title: 'theirs', Notes: 'none' });

    // ?fieldKey=id keys the answer, and the conflicting fields, by column id.
    const byId = await db.app.request('PATCH', `${path}/${row.id}?fieldKey=id`, {
      token: db.owner.accessToken,
      body: { fields: { Title: 'mine' }, version: 1 },
    });
    expectProblem(byId, 409);
    expect(byId.body.conflictingFields).to.deep.equal([table.columns[0]!.id]);
    expect(byId.body.theirs.fields[table.columns[0]!.id]).to.equal('theirs');
  });

  it('merges many concurrent edits of distinct fields of one version: all apply, none lost', async () => {
    const columns = Array.from({ length: 12 }, (_, i) => ({ name: `F${i}`, type: 'integer' }));
    const table = await owner.table({ name: 'Concurrent merges', columns });
    const path = `/api/v1/tables/${table.id}/rows`;
    const row = await createRow(path, {});
    const results = await Promise.all(
      columns.map((c, i) => owner.patch(`${path}/${row.id}`, { fields: { [c.name]: i + 100 }, version: 1 })),
    );
    expect(results.map((r) => r.status)).to.deep.equal(columns.map(() => 200));
    expect(new Set(results.map((r) => r.body.version)).size).to.equal(columns.length);
    const read = await owner.get(`${path}/${row.id}`);
    expect(read.body.version).to.equal(1 + columns.length);
    expect(read.body.fields).to.deep.equal(Object.fromEntries(columns.map((c, i) => [c.name, i + 100])));
    expect(await updatesOf(row.id)).to.have.length(columns.length);
  });

  it('merges on a table whose writes need a transaction (a formula), and answers theirs as a read shows it', async () => {
    const { path } = await tableWith(undefined, [
      { name: 'Double', type: 'formula', options: { formula: '{Points} * 2' } },
    ]);
    const row = await createRow(path, { Title: 'a', Points: 1 });
    await owner.patch(`${path}/${row.id}`, { fields: { Points: 4 }, version: 1 });
    const merged = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Title: 'b' }, version: 1 });
    expect(merged.status, JSON.stringify(merged.body)).to.equal(200);
    expect(merged.body).to.include({ version: 3 });
    expect(merged.body.fields).to.include({ Title: 'b', Points: 4, Double: 8 });
    // Based on version 2, only Title changed since: Points merges, Title clashes.
    const points = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Points: 5 }, version: 2 });
    expect(points.status, JSON.stringify(points.body)).to.equal(200);
    expect(points.body.fields).to.include({ Title: 'b', Points: 5, Double: 10 });
    const lost = await owner.patch(`${path}/${row.id}`, { fields: { Title: 'c' }, version: 2 });
    expectProblem(lost, 409);
    expect(lost.body.theirs).to.include({ version: 4 });
    expect(lost.body.theirs.fields).to.include({ Title: 'b', Points: 5, Double: 10 });
    expect(lost.body.conflictingFields).to.deep.equal(['Title']);
  });

  it('merges and clashes by link column too (the linked ids are part of the audited states)', async () => {
    const { table: target, path: targetPath } = await tableWith();
    const [a, b] = [await createRow(targetPath, { Title: 'a' }), await createRow(targetPath, { Title: 'b' })];
    const { path } = await tableWith(undefined, [
      { name: 'Refs', type: 'link', options: { tableId: target.id } },
    ]);
    const row = await createRow(path, { Title: 'linked', Refs: [a.id] });
    const relinked = await owner.patch(`${path}/${row.id}`, { fields: { Refs: [b.id] }, version: 1 });
    expect(relinked.status, JSON.stringify(relinked.body)).to.equal(200);
    const titled = await db
      .as(editor)
      .patch(`${path}/${row.id}`, { fields: { Title: 'renamed' }, version: 1 });
    expect(titled.status, JSON.stringify(titled.body)).to.equal(200);
    expect(titled.body.fields).to.include({ Title: 'renamed' });
    expect(titled.body.fields.Refs).to.deep.equal([b.id]);
    const lost = await db
      .as(editor)
      .patch(`${path}/${row.id}`, { fields: { Refs: [a.id, b.id] }, version: 1 });
    expectProblem(lost, 409);
    expect(lost.body.conflictingFields).to.deep.equal(['Refs']);
    expect(lost.body.theirs.fields.Refs).to.deep.equal([b.id]);
  });

  it('refuses a stale PUT under merge (it writes every field), naming the fields changed since', async () => {
    const { path } = await tableWith('merge');
    const row = await createRow(path, { Title: 'a', Notes: 'n' });
    await owner.patch(`${path}/${row.id}`, { fields: { Notes: 'changed' }, version: 1 });
    const put = await db.as(editor).put(`${path}/${row.id}`, { fields: { Title: 'replaced' }, version: 1 });
    expectProblem(put, 409);
    expect(put.body).to.include({ code: 'version_conflict', baseVersion: 1 });
    expect(put.body.mine).to.deep.equal({ Title: 'replaced' });
    expect(put.body.conflictingFields).to.deep.equal(['Notes']);
    expect((await owner.get(`${path}/${row.id}`)).body).to.deep.include({ version: 2 });
    const fresh = await db.as(editor).put(`${path}/${row.id}`, { fields: { Title: 'replaced' }, version: 2 });
    expect(fresh.status).to.equal(200);
    expect(fresh.body.fields).to.include({ Title: 'replaced', Notes: null });
  });

  it('reject: a stale version is a 409 even when the fields are disjoint', async () => {
    const { path } = await tableWith('reject');
    const row = await createRow(path, { Title: 'a' });
    await owner.patch(`${path}/${row.id}`, { fields: { Title: 'b' }, version: 1 });
    const stale = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Notes: 'x' }, version: 1 });
    expectProblem(stale, 409);
    expect(stale.body).to.include({ code: 'version_conflict', baseVersion: 1 });
    expect(stale.body.mine).to.deep.equal({ Notes: 'x' });
    expect(stale.body.conflictingFields).to.deep.equal([]);
    expect(stale.body.theirs.fields).to.include({ Title: 'b', Notes: null });
    expect((await owner.get(`${path}/${row.id}`)).body.version).to.equal(2);
    expect((await owner.delete(`${path}/${row.id}?version=1`)).status).to.equal(409);
  });

  it('lastWriteWins: stale writes and deletes apply to whatever is current', async () => {
    const { path } = await tableWith('lastWriteWins');
    const row = await createRow(path, { Title: 'a', Notes: 'n' });
    await owner.patch(`${path}/${row.id}`, { fields: { Title: 'b' }, version: 1 });
    const patched = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Title: 'c' }, version: 1 });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    expect(patched.body).to.include({ version: 3 });
    expect(patched.body.fields).to.include({ Title: 'c', Notes: 'n' });
    const put = await db.as(editor).put(`${path}/${row.id}`, { fields: { Notes: 'm' } });
    expect(put.status).to.equal(200);
    const putStale = await db.app.request('PUT', `${path}/${row.id}`, {
      token: editor.accessToken,
      headers: { 'if-match': '"1"' },
      body: { fields: { Title: 'd' } },
    });
    expect(putStale.status, JSON.stringify(putStale.body)).to.equal(200);
    expect(putStale.body).to.include({ version: 5 });
    expect(putStale.body.fields).to.include({ Title: 'd', Notes: null });
    expect((await owner.delete(`${path}/${row.id}?version=1`)).status).to.equal(204);
    expect((await owner.get(`${path}/${row.id}`)).status).to.equal(404);
  });

  it('merge: deletes based on a stale version stay a 409 with both sides', async () => {
    const { path } = await tableWith();
    const row = await createRow(path, { Title: 'a' });
    await owner.patch(`${path}/${row.id}`, { fields: { Notes: 'n' }, version: 1 });
    const stale = await owner.delete(`${path}/${row.id}?version=1`);
    expectProblem(stale, 409);
    expect(stale.body).to.include({ code: 'version_conflict', baseVersion: 1 });
    expect(stale.body.theirs).to.include({ id: row.id, version: 2 });
    expect(stale.body.mine).to.deep.equal({});
    expect((await owner.get(`${path}/${row.id}`)).status).to.equal(200);
  });

  it('treats a merge whose history is gone (audit retention) as a conflict', async () => {
    const { path } = await tableWith();
    const row = await createRow(path, { Title: 'a', Notes: 'n' });
    await owner.patch(`${path}/${row.id}`, { fields: { Title: 'b' }, version: 1 });
    await owner.patch(`${path}/${row.id}`, { fields: { Title: 'c' }, version: 2 });
    // The entry of version 2 is older than the workspace keeps: the purge takes it.
    const [second] = await updatesOf(row.id);
    await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ resource_id: row.id, action: 'row.update' })
      .whereRaw("after->>'version' = '2'")
      .update({ created_at: new Date(Date.now() - 400 * 86_400_000) });
    expect(second.after.version).to.equal(2);
    expect(await purgeExpiredAuditEntries(db.app.dataplane.knex)).to.equal(1);

    const gone = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Notes: 'x' }, version: 1 });
    expectProblem(gone, 409);
    expect(gone.body).to.include({ code: 'version_conflict', baseVersion: 1 });
    // What changed is unknown: every field written may clash.
    expect(gone.body.conflictingFields).to.deep.equal(['Notes']);
    // From version 2 on the history is whole again.
    const merged = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Notes: 'x' }, version: 2 });
    expect(merged.status, JSON.stringify(merged.body)).to.equal(200);
    expect(merged.body.fields).to.include({ Title: 'c', Notes: 'x' });
    // A version the row never had is a conflict too.
    const future = await db.as(editor).patch(`${path}/${row.id}`, { fields: { Notes: 'y' }, version: 99 });
    expectProblem(future, 409);
  });

  describe('POST …/rows/:rowId/resolve', () => {
    let path: string;
    let rowId: string;
    /** A row at version 2 (Title changed by the editor) and the owner's lost edit of Title. */
    beforeEach(async () => {
      ({ path } = await tableWith());
      rowId = (await createRow(path, { Title: 'base', Notes: 'n' })).id;
      await db.as(editor).patch(`${path}/${rowId}`, { fields: { Title: 'theirs' }, version: 1 });
      const lost = await owner.patch(`${path}/${rowId}`, { fields: { Title: 'mine' }, version: 1 });
      expect(lost.status).to.equal(409);
      expect(lost.body.theirs.version).to.equal(2);
    });

    it('theirs: keeps the row and answers it, writing nothing', async () => {
      const audits = (await updatesOf(rowId)).length;
      const res = await owner.post(`${path}/${rowId}/resolve`, { resolution: 'theirs', version: 2 });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ id: rowId, version: 2 });
      expect(res.body.fields).to.include({ Title: 'theirs' });
      expect((await updatesOf(rowId)).length).to.equal(audits);
    });

    it('mine: writes the fields against exactly that version, audited as an update', async () => {
      const res = await owner.post(`${path}/${rowId}/resolve`, {
        resolution: 'mine',
        version: 2,
        fields: { Title: 'mine' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ version: 3 });
      expect(res.body.fields).to.include({ Title: 'mine', Notes: 'n' });
      const updates = await updatesOf(rowId);
      expect(updates).to.have.length(2);
      expect(updates[1]).to.deep.include({ actor_id: db.owner.id });
      expect(updates[1].before.version).to.equal(2);
      expect(updates[1].after.version).to.equal(3);
    });

    it('merged: writes the merged fields against exactly that version', async () => {
      const res = await db.as(editor).post(`${path}/${rowId}/resolve`, {
        resolution: 'merged',
        version: 2,
        fields: { Title: 'theirs + mine', Notes: 'merged' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.include({ version: 3 });
      expect(res.body.fields).to.include({ Title: 'theirs + mine', Notes: 'merged' });
    });

    it('answers 409 with both sides when the row moved past the version, never merging', async () => {
      // Disjoint from what the resolution writes: a PATCH would merge it, a resolution does not.
      await db.as(editor).patch(`${path}/${rowId}`, { fields: { Owner: 'ed' }, version: 2 });
      const audits = (await updatesOf(rowId)).length;
      for (const body of [
        { resolution: 'theirs', version: 2 },
        { resolution: 'mine', version: 2, fields: { Title: 'mine' } },
        { resolution: 'merged', version: 2, fields: { Notes: 'merged' } },
      ]) {
        const res = await owner.post(`${path}/${rowId}/resolve`, body);
        expectProblem(res, 409);
        expect(res.body).to.include({ code: 'version_conflict', baseVersion: 2 });
        expect(res.body.theirs).to.include({ version: 3 });
        expect(res.body.theirs.fields).to.include({ Owner: 'ed', Title: 'theirs' });
        expect(res.body.mine).to.deep.equal('fields' in body ? body.fields : {});
        expect(res.body.conflictingFields).to.deep.equal([]);
      }
      expect((await updatesOf(rowId)).length).to.equal(audits);
    });

    it('400 problem+json when mine or merged bring no fields (or theirs brings some), 422 for a bad body', async () => {
      const audits = (await updatesOf(rowId)).length;
      for (const body of [
        { resolution: 'mine', version: 2 },
        { resolution: 'merged', version: 2 },
        { resolution: 'theirs', version: 2, fields: { Title: 'x' } },
      ]) {
        const res = await owner.post(`${path}/${rowId}/resolve`, body);
        expectProblem(res, 400);
        expect(res.body.code).to.equal('invalid_resolution');
      }
      for (const body of [
        { resolution: 'both', version: 2, fields: {} },
        { resolution: 'mine', fields: { Title: 'x' } },
        { resolution: 'mine', version: 0, fields: { Title: 'x' } },
        { resolution: 'mine', version: 2, fields: { Title: 'x' }, extra: true },
      ]) {
        const res = await owner.post(`${path}/${rowId}/resolve`, body);
        expectProblem(res, 422);
        expect(res.body.code).to.equal('validation_failed');
      }
      const unknownField = await owner.post(`${path}/${rowId}/resolve`, {
        resolution: 'mine',
        version: 2,
        fields: { Nope: 1 },
      });
      expectProblem(unknownField, 422);
      expect((await updatesOf(rowId)).length).to.equal(audits);
      expect((await owner.get(`${path}/${rowId}`)).body.version).to.equal(2);
    });

    it('403 for a viewer, 404 for a row that does not exist', async () => {
      const res = await db.as(viewer).post(`${path}/${rowId}/resolve`, {
        resolution: 'mine',
        version: 2,
        fields: { Title: 'viewer' },
      });
      expectProblem(res, 403);
      expect((await owner.get(`${path}/${rowId}`)).body).to.deep.include({ version: 2 });
      const missing = '0190b7a0-0000-7000-8000-000000000000';
      for (const body of [
        { resolution: 'theirs', version: 1 },
        { resolution: 'mine', version: 1, fields: { Title: 'x' } },
      ])
        expectProblem(await owner.post(`${path}/${missing}/resolve`, body), 404);
    });
  });

  describe('the conflictPolicy setting', () => {
    it('is chosen at creation, changed with the table, merged into the other settings', async () => {
      const { table } = await tableWith('reject');
      expect(table).to.deep.include({ settings: { conflictPolicy: 'reject' } });
      const primary = await owner.put(`/api/v1/tables/${table.id}`, {
        settings: { primaryColumnId: table.columns[0]!.id },
      });
      expect(primary.status, JSON.stringify(primary.body)).to.equal(200);
      expect(primary.body.settings).to.deep.equal({
        conflictPolicy: 'reject',
        primaryColumnId: table.columns[0]!.id,
      });
      const changed = await owner.put(`/api/v1/tables/${table.id}`, {
        settings: { conflictPolicy: 'lastWriteWins' },
      });
      expect(changed.body.settings).to.deep.equal({
        conflictPolicy: 'lastWriteWins',
        primaryColumnId: table.columns[0]!.id,
      });
      expect((await owner.get(`/api/v1/tables/${table.id}`)).body.settings.conflictPolicy).to.equal(
        'lastWriteWins',
      );
      // The new policy holds at once (a settings change moves the schema version the cached table is checked against).
      const path = `/api/v1/tables/${table.id}/rows`;
      const row = await createRow(path, { Title: 'a' });
      await owner.patch(`${path}/${row.id}`, { fields: { Title: 'b' }, version: 1 });
      expect(
        (await owner.patch(`${path}/${row.id}`, { fields: { Title: 'c' }, version: 1 })).status,
      ).to.equal(200);
      await owner.put(`/api/v1/tables/${table.id}`, { settings: { conflictPolicy: 'reject' } });
      expect(
        (await owner.patch(`${path}/${row.id}`, { fields: { Notes: 'c' }, version: 1 })).status,
      ).to.equal(409);
      // A table that never chose one names none (and merges: the tests above).
      const { table: plain } = await tableWith();
      expect(plain).to.deep.include({ settings: {} });
    });

    it('refuses a bad value (422 validation_failed) and changes nothing', async () => {
      const { table } = await tableWith('reject');
      const before = await owner.get(`/api/v1/tables/${table.id}`);
      for (const policy of ['overwrite', 'MERGE', null, 1])
        for (const res of [
          await owner.put(`/api/v1/tables/${table.id}`, { settings: { conflictPolicy: policy } }),
          await owner.post(`/api/v1/bases/${db.baseId}/tables`, {
            name: `Refused ${String(policy)}`,
            settings: { conflictPolicy: policy },
          }),
        ]) {
          expectProblem(res, 422);
          expect(res.body.code).to.equal('validation_failed');
          expect(JSON.stringify(res.body.errors)).to.include('conflictPolicy');
        }
      const after = await owner.get(`/api/v1/tables/${table.id}`);
      expect(after.body).to.deep.equal(before.body);
      const tables = await owner.get(`/api/v1/bases/${db.baseId}/tables`);
      expect(tables.body.data.map((t: { name: string }) => t.name)).to.not.include('Refused overwrite');
      // A primary column is not chosen at creation: the new table's column ids are not known yet.
      const primary = await owner.post(`/api/v1/bases/${db.baseId}/tables`, {
        name: 'Refused primary',
        settings: { primaryColumnId: table.columns[0]!.id },
      });
      expectProblem(primary, 422);
    });

    it('is kept by a duplicate of the base', async () => {
      const base = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name: 'Policies' });
      const made = await owner.post(`/api/v1/bases/${base.body.id}/tables`, {
        name: 'Kept',
        columns: [{ name: 'Title', type: 'text' }],
        settings: { conflictPolicy: 'lastWriteWins' },
      });
      expect(made.status).to.equal(201);
      const copy = await owner.post(`/api/v1/bases/${base.body.id}/duplicate`, {});
      expect(copy.status, JSON.stringify(copy.body)).to.equal(201);
      const tables = await owner.get(`/api/v1/bases/${copy.body.id}/tables`);
      expect(tables.body.data[0].settings).to.deep.equal({ conflictPolicy: 'lastWriteWins' });
    });
  });
});
