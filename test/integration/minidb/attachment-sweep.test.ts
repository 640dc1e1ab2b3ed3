import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { S3Config } from '../../../dataplane/src/platform/attachments.config.js';
import { AttachmentSweeper } from '../../../dataplane/src/services/attachments/attachment-sweeper.js';
import { purgeTrashedColumns } from '../../../dataplane/src/services/tables/trash-purge.js';
import { transactionRunner } from '../../../dataplane/src/services/unit-of-work.js';
import { createAttachmentStores } from '../../../dataplane/src/store/attachments/attachment-stores.js';
import type { S3Fake } from '../../fixtures/s3/s3-fake.js';
import { s3Config, s3Env, startS3Fake } from '../../fixtures/s3/s3-fake-settings.js';
import { count, download, upload } from './attachment-requests.js';
import { startMiniDb, type MiniDb, type TableBody } from './minidb-fixture.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Past the 24 h grace period. */
const tomorrow = () => new Date(Date.now() + DAY + HOUR);
/** Past the default audit retention of 365 days. */
const nextYear = () => new Date(Date.now() + 400 * DAY);

function sweeperOf(db: MiniDb, s3?: S3Config, batchSize = 4): AttachmentSweeper {
  const { knex, bus, log } = db.app.dataplane;
  return new AttachmentSweeper(knex, transactionRunner(knex, bus, log), createAttachmentStores(s3), log, {
    graceMs: DAY,
    batchSize,
  });
}

/** Whether the file is still there: its row, its download, and how many chunks and entries. */
async function kept(db: MiniDb, id: string) {
  return {
    row: await count(db, 'attachments', { id }),
    chunks: await count(db, 'attachment_chunks', { attachment_id: id }),
    directory: (await db.app.dataplane.knex('resource_directory').where({ id })).length,
    download: (await download(db, db.owner, id)).status,
  };
}

async function filesTable(db: MiniDb, name: string, columns = ['Files']): Promise<TableBody> {
  return db.as(db.owner).table({
    name,
    columns: [{ name: 'Title', type: 'text' }, ...columns.map((c) => ({ name: c, type: 'attachment' }))],
  });
}

async function uploaded(db: MiniDb, table: TableBody, bytes = randomBytes(300_000)) {
  const up = await upload(db, db.owner, table.id, bytes, { query: '?name=f.bin' });
  expect(up.status, JSON.stringify(up.body)).to.equal(201);
  return up.body as { id: string; name: string; size: number; mimeType: string };
}

describe('mini-DB: the sweeper deletes uploads nothing refers to (PostgreSQL chunks)', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb();
  });
  after(() => db.stop());

  it('deletes an old upload no cell names with its chunks and directory entry, audited; keeps young and referenced ones', async () => {
    const owner = db.as(db.owner);
    const table = await filesTable(db, 'Swept', ['Files', 'More']);
    const orphan = await uploaded(db, table);
    const inFiles = await uploaded(db, table);
    const inMore = await uploaded(db, table);
    await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Files: [inFiles] } });
    await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { More: [inMore] } });
    const sweeper = sweeperOf(db);

    await sweeper.sweep(new Date());
    expect(await kept(db, orphan.id), 'younger than the grace period').to.deep.equal({
      row: 1,
      chunks: 2,
      directory: 1,
      download: 200,
    });

    const done = await sweeper.sweep(tomorrow());
    expect(done.attachments).to.be.at.least(1);
    expect(await kept(db, orphan.id)).to.deep.equal({ row: 0, chunks: 0, directory: 0, download: 404 });
    const [entry] = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ action: 'attachment.sweep', resource_id: orphan.id });
    expect(entry).to.include({ actor_id: null, parent_id: table.id, resource_type: 'attachment' });
    expect(entry.before).to.include({ id: orphan.id, size: orphan.size, storage: 'postgres' });
    for (const file of [inFiles, inMore])
      expect(await kept(db, file.id), 'named by a cell').to.deep.equal({
        row: 1,
        chunks: 2,
        directory: 1,
        download: 200,
      });

    expect(await sweeper.sweep(tomorrow()), 'nothing left to do').to.deep.equal({
      attachments: 0,
      directoryEntries: 0,
      objects: 0,
    });
  });

  it('keeps files of a deleted column until the trash purge drops it', async () => {
    const owner = db.as(db.owner);
    const table = await filesTable(db, 'Trashed', ['Files', 'Gone']);
    const file = await uploaded(db, table);
    await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Gone: [file] } });
    const gone = table.columns.find((c) => c.name === 'Gone')!;
    expect((await owner.delete(`/api/v1/tables/${table.id}/columns/${gone.id}`)).status).to.equal(204);
    const sweeper = sweeperOf(db);

    await sweeper.sweep(tomorrow());
    await sweeper.sweep(nextYear());
    expect((await kept(db, file.id)).row, 'restorable until purged').to.equal(1);
    await purgeTrashedColumns(db.app.dataplane.knex, nextYear());
    await sweeper.sweep(nextYear());
    expect((await kept(db, file.id)).row, 'its column is gone for good').to.equal(0);
  });

  it('keeps files a row revert can bring back until the audit retention ends', async () => {
    const owner = db.as(db.owner);
    const table = await filesTable(db, 'Reverted');
    const file = await uploaded(db, table);
    const row = await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Files: [file] } });
    const cleared = await owner.patch(`/api/v1/tables/${table.id}/rows/${row.body.id}`, {
      fields: { Files: [] },
    });
    expect(cleared.status).to.equal(200);
    const sweeper = sweeperOf(db);

    await sweeper.sweep(tomorrow());
    expect((await kept(db, file.id)).row, 'the row.update entry can restore it').to.equal(1);
    const created = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ action: 'row.create', resource_id: row.body.id })
      .first('id');
    const reverted = await db.app.request('POST', `/api/v1/rows/${row.body.id}/revert/${created.id}`, {
      token: db.owner.accessToken,
      headers: { 'x-workspace-id': db.workspaceId },
      body: {},
    });
    expect(reverted.status, JSON.stringify(reverted.body)).to.equal(200);
    expect(reverted.body.row.fields.Files).to.deep.equal([file]);
    expect((await download(db, db.owner, file.id)).status).to.equal(200);

    await owner.patch(`/api/v1/tables/${table.id}/rows/${row.body.id}`, { fields: { Files: [] } });
    await sweeper.sweep(nextYear());
    expect((await kept(db, file.id)).row, 'no entry within the retention names it').to.equal(0);
  });

  it('forgets the directory entries of files deleted with their table', async () => {
    const table = await filesTable(db, 'Dropped');
    const file = await uploaded(db, table, Buffer.from('with the table'));
    expect((await db.as(db.owner).delete(`/api/v1/tables/${table.id}`)).status).to.equal(204);
    expect((await kept(db, file.id)).directory).to.equal(1);
    const done = await sweeperOf(db).sweep(new Date());
    expect(done.directoryEntries).to.be.at.least(1);
    expect(await kept(db, file.id)).to.deep.equal({ row: 0, chunks: 0, directory: 0, download: 404 });
  });

  it('skips a file a row write is binding meanwhile (the write holds it FOR SHARE)', async () => {
    const table = await filesTable(db, 'Busy');
    const file = await uploaded(db, table);
    const knex = db.app.dataplane.knex;
    const writing = await knex.transaction();
    try {
      // What checkAttachmentCells does inside a row write, before the write commits.
      await writing(`${db.schema}.attachments`).where({ id: file.id }).forShare().first('id');
      await sweeperOf(db).sweep(tomorrow());
      expect((await kept(db, file.id)).row).to.equal(1);
    } finally {
      await writing.rollback();
    }
    await sweeperOf(db).sweep(tomorrow());
    expect((await kept(db, file.id)).row).to.equal(0);
  });

  it('lets two sweepers run at once: each file deleted once, neither failing', async () => {
    const table = await filesTable(db, 'Raced');
    const files = [];
    for (let i = 0; i < 14; i++) files.push(await uploaded(db, table, Buffer.from(`orphan ${i}`)));
    const keep = await uploaded(db, table);
    await db.as(db.owner).post(`/api/v1/tables/${table.id}/rows`, { fields: { Files: [keep] } });

    const when = tomorrow();
    const [a, b] = await Promise.all([sweeperOf(db).sweep(when), sweeperOf(db).sweep(when)]);
    expect(a.attachments + b.attachments, 'each deletion counted by one sweeper').to.equal(files.length);
    const entries = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ action: 'attachment.sweep' })
      .whereIn(
        'resource_id',
        files.map((f) => f.id),
      )
      .select('resource_id');
    expect(entries.map((e: { resource_id: string }) => e.resource_id).sort()).to.deep.equal(
      files.map((f) => f.id).sort(),
    );
    expect(await count(db, 'attachments', { table_id: table.id })).to.equal(1);
    expect((await download(db, db.owner, keep.id)).status).to.equal(200);
  });
});

describe('mini-DB: the sweeper deletes bucket objects (S3-compatible store)', () => {
  let s3: S3Fake;
  let db: MiniDb;
  before(async () => {
    s3 = await startS3Fake();
    db = await startMiniDb('owner', s3Env(s3));
  });
  after(async () => {
    await db.stop();
    await s3.close();
  });

  it('deletes the objects of swept files and of deleted tables, and keeps those cells name', async () => {
    const owner = db.as(db.owner);
    const key = (id: string) => `${db.workspaceId}/${id}`;
    const table = await filesTable(db, 'Bucket');
    const orphan = await uploaded(db, table);
    const named = await uploaded(db, table);
    await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Files: [named] } });
    const doomed = await filesTable(db, 'Bucket doomed');
    const withTable = await uploaded(db, doomed);
    await owner.post(`/api/v1/tables/${doomed.id}/rows`, { fields: { Files: [withTable] } });
    expect((await owner.delete(`/api/v1/tables/${doomed.id}`)).status).to.equal(204);
    expect(s3.objects.has(key(withTable.id)), 'kept until the sweep').to.equal(true);
    const sweeper = sweeperOf(db, s3Config(s3));

    const done = await sweeper.sweep(tomorrow());
    expect(done).to.deep.include({ attachments: 1, directoryEntries: 1, objects: 2 });
    expect(s3.objects.has(key(orphan.id))).to.equal(false);
    expect(s3.objects.has(key(withTable.id))).to.equal(false);
    expect(s3.objects.has(key(named.id))).to.equal(true);
    expect((await download(db, db.owner, named.id)).status).to.equal(200);
    expect(await count(db, 'attachment_object_removals')).to.equal(0);
    expect(s3.log.filter((l) => l.method === 'DELETE').map((l) => l.key)).to.have.members([
      key(orphan.id),
      key(withTable.id),
    ]);
    expect(await sweeper.sweep(tomorrow())).to.deep.equal({
      attachments: 0,
      directoryEntries: 0,
      objects: 0,
    });
  });
});
