import { expect } from 'chai';
import { registerUser } from '../../support/test-app.js';
import { batchRevertHelpers, type BatchChange as Change } from './batch-revert-fixture.js';
import { physicalTable, startMiniDb, type MiniDb, type TableBody, type User } from './minidb-fixture.js';

describe('mini-DB: batch reverts over HTTP (real PostgreSQL)', () => {
  let db: MiniDb;
  let admin: User;
  let mallory: User;
  let table: TableBody;
  let rowsPath: string;
  before(async () => {
    db = await startMiniDb();
    admin = await db.member('admin', 'admin');
    mallory = await db.member('mallory', 'editor');
    table = await db.as(db.owner).table({
      name: 'Ledger',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Code', type: 'text', unique: true },
      ],
    });
    rowsPath = `/api/v1/tables/${table.id}/rows`;
  });
  after(() => db.stop());

  const batch = (body: unknown, user = admin) => batchRevertHelpers(db).batch(body, user);
  const during = (work: () => Promise<void>) => batchRevertHelpers(db).during(work);
  const create = async (fields: Record<string, unknown>, user = db.owner) => {
    const res = await db.as(user).post(rowsPath, { fields });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  };
  const patch = async (rowId: string, fields: Record<string, unknown>, user: User) =>
    expect((await db.as(user).patch(`${rowsPath}/${rowId}`, { fields })).status).to.equal(200);
  const title = (t = table) => t.columns.find((c) => c.name === 'Title')?.id as string;
  /** Every row (id, version, fields) and the number of audit entries: what a refused batch keeps. */
  const state = async () => ({
    rows: await db.app.dataplane
      .knex(`${db.schema}.${physicalTable(table.id)}`)
      .orderBy('id')
      .select('*'),
    audits: (await db.app.dataplane.knex(`${db.schema}.audit_logs`).count<{ count: string }[]>('* as n'))[0],
  });

  it("undoes one user's changes in a time range: a dry run that writes nothing, then all at once", async () => {
    const one = await create({ Title: 'one', Code: 'A' });
    const two = await create({ Title: 'two', Code: 'B' });
    const ours = await create({ Title: 'ours', Code: 'O' });
    let three = '';
    const range = await during(async () => {
      await patch(one, { Title: 'one!' }, mallory);
      await patch(ours, { Title: 'ours, changed by the owner' }, db.owner);
      await patch(one, { Title: 'one!!' }, mallory);
      expect((await db.as(mallory).delete(`${rowsPath}/${two}`)).status).to.equal(204);
      three = await create({ Title: 'three', Code: 'C' }, mallory);
    });
    const selection = { actorId: mallory.id, ...range };

    const before = await state();
    const dry = await batch(selection);
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200);
    expect(dry.body.dryRun).to.equal(true);
    const changes = dry.body.changes as Change[];
    expect(changes.map((c) => [c.resourceId, c.entryAction, c.action])).to.deep.equal([
      [three, 'row.create', 'row.delete'],
      [two, 'row.delete', 'row.create'],
      [one, 'row.update', 'row.update'],
      [one, 'row.update', 'row.update'],
    ]);
    expect(changes[0]?.to).to.equal(null);
    expect(changes[1]?.from).to.equal(null);
    expect(changes[1]?.to?.fields[title()]).to.equal('two');
    expect([changes[2]?.from?.fields[title()], changes[2]?.to?.fields[title()]]).to.deep.equal([
      'one!!',
      'one!',
    ]);
    expect([changes[3]?.from?.fields[title()], changes[3]?.to?.fields[title()]]).to.deep.equal([
      'one!',
      'one',
    ]);
    expect(await state()).to.deep.equal(before);
    // dryRun is the default.
    expect((await batch({ ...selection, dryRun: undefined })).body.dryRun).to.equal(true);
    expect(await state()).to.deep.equal(before);

    const done = await batch({ ...selection, dryRun: false });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.dryRun).to.equal(false);
    expect(done.body.changes).to.deep.equal(changes);
    const rows = (await db.as(db.owner).get(`${rowsPath}?sort=Code&limit=1000`)).body.data as {
      id: string;
      fields: Record<string, unknown>;
    }[];
    const byId = new Map(rows.map((r) => [r.id, r.fields]));
    expect(byId.get(one)).to.deep.equal({ Title: 'one', Code: 'A' });
    expect(byId.get(two)).to.deep.equal({ Title: 'two', Code: 'B' });
    expect(byId.has(three)).to.equal(false);
    expect(byId.get(ours)).to.deep.equal({ Title: 'ours, changed by the owner', Code: 'O' });
    // Each undo is itself an audited change, by the admin who reverted.
    const log = await db.app.request('GET', `/api/v1/audit-logs?actorId=${admin.id}`, {
      token: admin.accessToken,
      headers: { 'x-workspace-id': db.workspaceId },
    });
    expect(log.body.data.map((e: { action: string }) => e.action)).to.deep.equal([
      'row.update',
      'row.update',
      'row.create',
      'row.delete',
    ]);
    // Undoing the same entries again: the row creation and deletion are undone already (none);
    // the two updates of `one` step back through 'one!' to 'one' once more.
    const again = await batch({ auditLogIds: changes.map((c) => c.auditLogId), dryRun: true });
    expect(again.body.changes.map((c: Change) => c.action)).to.deep.equal([
      'none',
      'none',
      'row.update',
      'row.update',
    ]);
  });

  it('applies nothing when a change fails half-way (409), though the dry run listed it', async () => {
    const first = await create({ Title: 'first', Code: 'X' });
    const second = await create({ Title: 'second', Code: 'Y' });
    const range = await during(async () => {
      await patch(first, { Code: 'X2' }, mallory);
      await patch(second, { Title: 'second, by mallory' }, mallory);
    });
    // Someone takes the code the older change would restore.
    await create({ Title: 'taker', Code: 'X' });
    const selection = { actorId: mallory.id, ...range };
    const dry = await batch(selection);
    expect(dry.body.changes.map((c: Change) => c.resourceId)).to.deep.equal([second, first]);
    const before = await state();
    const res = await batch({ ...selection, dryRun: false });
    expect([res.status, res.body.code, res.body.auditLogId]).to.deep.equal([
      409,
      'unique_violation',
      dry.body.changes[1].auditLogId,
    ]);
    expect(await state()).to.deep.equal(before);
    expect((await db.as(db.owner).get(`${rowsPath}/${second}`)).body.fields.Title).to.equal(
      'second, by mallory',
    );
  });

  it('reverts listed entries; 422 for entries no revert undoes; 404 for other ids; admins only', async () => {
    const row = await create({ Title: 'listed', Code: 'L' });
    await patch(row, { Title: 'listed, changed' }, mallory);
    const history = await db.app.request('GET', `/api/v1/rows/${row}/history`, {
      token: admin.accessToken,
      headers: { 'x-workspace-id': db.workspaceId },
    });
    const update = history.body.data[0].id as string;
    const done = await batch({ auditLogIds: [update], dryRun: false });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect((await db.as(db.owner).get(`${rowsPath}/${row}`)).body.fields.Title).to.equal('listed');

    const added = await db
      .as(db.owner)
      .post(`/api/v1/tables/${table.id}/columns`, { name: 'Extra', type: 'text' });
    const created = await db.as(db.owner).get(`/api/v1/tables/${table.id}/history?action=table.create`);
    const tableCreate = created.body.data[0].id as string;
    const refused = await batch({ auditLogIds: [update, tableCreate] });
    expect([refused.status, refused.body.code]).to.deep.equal([422, 'not_revertable']);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['auditLogIds[1]']);
    // A time range takes schema changes too (audit-batch-schema-revert.test.ts has the rest).
    const range = await during(async () => {
      await db.as(db.owner).put(`/api/v1/tables/${table.id}/columns/${added.body.id}`, { name: 'Extra 2' });
      await patch(row, { Title: 'by the owner' }, db.owner);
    });
    const owners = await batch({ actorId: db.owner.id, ...range });
    expect(owners.status, JSON.stringify(owners.body)).to.equal(200);
    expect(owners.body.changes.map((c: Change) => [c.entryAction, c.action])).to.deep.equal([
      ['row.update', 'row.update'],
      ['column.update', 'column.update'],
    ]);
    expect(owners.body.ignored).to.deep.equal([]);

    const unknown = '0190b7a0-0000-7000-8000-000000000000';
    expect((await batch({ auditLogIds: [update, unknown] })).status).to.equal(404);
    expect((await batch({})).status).to.equal(422);
    expect((await batch({ auditLogIds: [update], actorId: mallory.id })).status).to.equal(422);
    expect((await batch({ actorId: mallory.id, from: range.from })).status).to.equal(422);
    const denied = await batch({ auditLogIds: [update], dryRun: false }, mallory);
    expect([denied.status, denied.body.code]).to.deep.equal([403, 'forbidden']);

    // Another workspace's admin cannot reach these entries through their own workspace.
    const stranger = await registerUser(db.app, 'stranger');
    const ws = await db.app.request('POST', '/api/v1/workspaces', {
      token: stranger.accessToken,
      body: { name: 'Elsewhere' },
    });
    const foreign = await db.app.request('POST', '/api/v1/audit-logs/revert', {
      token: stranger.accessToken,
      headers: { 'x-workspace-id': ws.body.id },
      body: { auditLogIds: [update], dryRun: false },
    });
    expect([foreign.status, foreign.body.code]).to.deep.equal([404, 'not_found']);
  });
});
