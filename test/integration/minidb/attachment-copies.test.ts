import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { S3Fake } from '../../fixtures/s3/s3-fake.js';
import { count, download, upload } from './attachment-requests.js';
import { startMiniDb, type MiniDb, type TableBody } from './minidb-fixture.js';
import { s3Env, startS3Fake } from '../../fixtures/s3/s3-fake-settings.js';

interface Descriptor {
  id: string;
  name: string;
  size: number;
  mimeType: string;
}

interface RowBody {
  id: string;
  version: number;
  fields: { Title?: string; Files?: Descriptor[] };
}

/** A base with one table of titled rows holding files, plus an upload no cell names. */
interface Source {
  baseId: string;
  table: TableBody;
  files: { descriptor: Descriptor; bytes: Buffer }[];
  unreferenced: Descriptor;
}

async function sourceBase(db: MiniDb, name: string): Promise<Source> {
  const owner = db.as(db.owner);
  const base = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases`, { name });
  expect(base.status).to.equal(201);
  const created = await owner.post(`/api/v1/bases/${base.body.id}/tables`, {
    name: 'Docs',
    columns: [
      { name: 'Title', type: 'text' },
      { name: 'Files', type: 'attachment' },
    ],
  });
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const table = created.body as TableBody;
  // 600 kB spans three PostgreSQL chunks.
  const contents = [randomBytes(600_000), Buffer.from('a small note')];
  const files = [];
  const filesColumn = table.columns.find((c) => c.name === 'Files')!.id;
  for (const [i, bytes] of contents.entries()) {
    // The first names the column it is for, which its copies name in the copied table.
    const up = await upload(db, db.owner, table.id, bytes, {
      query: `?name=file-${i}.bin${i === 0 ? `&columnId=${filesColumn}` : ''}`,
      headers: { 'content-type': 'application/x-test' },
    });
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    files.push({ descriptor: up.body as Descriptor, bytes });
  }
  const unreferenced = (await upload(db, db.owner, table.id, Buffer.from('nobody'))).body as Descriptor;
  const [big, small] = files.map((f) => f.descriptor);
  for (const [title, cell] of [
    ['both', [big, small]],
    ['small', [small]],
    ['none', []],
  ] as const) {
    const row = await owner.post(`/api/v1/tables/${table.id}/rows`, {
      fields: { Title: title, Files: cell },
    });
    expect(row.status, JSON.stringify(row.body)).to.equal(201);
  }
  return { baseId: base.body.id as string, table, files, unreferenced };
}

async function onlyTable(db: MiniDb, baseId: string): Promise<TableBody> {
  const tables = await db.as(db.owner).get(`/api/v1/bases/${baseId}/tables`);
  expect(tables.body.data).to.have.length(1);
  return tables.body.data[0] as TableBody;
}

async function rowsOf(db: MiniDb, tableId: string): Promise<RowBody[]> {
  const res = await db.as(db.owner).get(`/api/v1/tables/${tableId}/rows?sort=Title`);
  expect(res.status).to.equal(200);
  return res.body.data as RowBody[];
}

/** The copy names new files of its own table, the source's names, sizes and types, same bytes. */
async function expectOwnCopies(db: MiniDb, source: Source, copyTable: TableBody): Promise<Descriptor[]> {
  const rows = await rowsOf(db, copyTable.id);
  expect(rows.map((r) => r.fields.Title)).to.deep.equal(['both', 'none', 'small']);
  const [both, none, small] = rows as [RowBody, RowBody, RowBody];
  expect(none.fields.Files).to.deep.equal([]);
  const copies = both.fields.Files ?? [];
  expect(small.fields.Files).to.deep.equal([copies[1]]);
  const sourceIds = new Set([...source.files.map((f) => f.descriptor.id), source.unreferenced.id]);
  for (const [i, copy] of copies.entries()) {
    const original = source.files[i]!;
    expect(sourceIds.has(copy.id), 'a new attachment id').to.equal(false);
    expect(copy).to.deep.equal({ ...original.descriptor, id: copy.id });
    const got = await download(db, db.owner, copy.id);
    expect(got.status).to.equal(200);
    expect(got.bytes.equals(original.bytes)).to.equal(true);
  }
  const knex = db.app.dataplane.knex;
  const owned = await knex(`${db.schema}.attachments`).where({ table_id: copyTable.id }).orderBy('name');
  expect(owned.map((a: { id: string }) => a.id).sort()).to.deep.equal(copies.map((c) => c.id).sort());
  return copies;
}

/** Writing a copied cell back as it is: accepted, and still the same files. */
async function expectWritableCells(db: MiniDb, tableId: string): Promise<void> {
  const [both] = await rowsOf(db, tableId);
  const patched = await db
    .as(db.owner)
    .patch(`/api/v1/tables/${tableId}/rows/${both!.id}`, { fields: { Files: both!.fields.Files } });
  expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
  expect(patched.body.fields.Files).to.deep.equal(both!.fields.Files);
}

describe('mini-DB: duplicates and templates copy attachment files (PostgreSQL chunks)', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb();
  });
  after(() => db.stop());

  it('duplicates a base with data onto new files: rows, chunks, directory entries, same bytes, writable cells', async () => {
    const source = await sourceBase(db, 'Source');
    const dup = await db.as(db.owner).post(`/api/v1/bases/${source.baseId}/duplicate`, { withData: true });
    expect(dup.status, JSON.stringify(dup.body)).to.equal(201);
    const copyTable = await onlyTable(db, dup.body.id);
    const copies = await expectOwnCopies(db, source, copyTable);
    for (const [i, copy] of copies.entries()) {
      const original = source.files[i]!.descriptor;
      expect(await count(db, 'attachment_chunks', { attachment_id: copy.id })).to.equal(
        await count(db, 'attachment_chunks', { attachment_id: original.id }),
      );
      const row = await db.app.dataplane.knex(`${db.schema}.attachments`).where({ id: copy.id }).first();
      expect(row).to.include({ table_id: copyTable.id, template_id: null, storage: 'postgres' });
      expect(row.column_id).to.equal(i === 0 ? copyTable.columns.find((c) => c.name === 'Files')!.id : null);
      expect(await db.app.dataplane.knex('resource_directory').where({ id: copy.id }).first()).to.include({
        workspace_id: db.workspaceId,
        kind: 'attachment',
        base_id: dup.body.id,
      });
    }
    expect(await count(db, 'attachment_chunks', { attachment_id: copies[0]!.id })).to.equal(3);
    const entry = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ action: 'base.duplicate', resource_id: dup.body.id })
      .first();
    expect(entry.after).to.include({ withData: true, rows: 3, attachments: 2 });
    await expectWritableCells(db, copyTable.id);

    const structureOnly = await db.as(db.owner).post(`/api/v1/bases/${source.baseId}/duplicate`, {});
    const emptyTable = await onlyTable(db, structureOnly.body.id);
    expect(await count(db, 'attachments', { table_id: emptyTable.id })).to.equal(0);
  });

  it('keeps the copy downloadable once the source base is deleted', async () => {
    const source = await sourceBase(db, 'Doomed source');
    const dup = await db.as(db.owner).post(`/api/v1/bases/${source.baseId}/duplicate`, { withData: true });
    const copyTable = await onlyTable(db, dup.body.id);
    expect((await db.as(db.owner).delete(`/api/v1/bases/${source.baseId}`)).status).to.equal(204);
    expect(await count(db, 'attachments', { table_id: source.table.id })).to.equal(0);
    await expectOwnCopies(db, source, copyTable);
    await expectWritableCells(db, copyTable.id);
  });

  it('saves a template with its own copies of the files and builds bases from it, source gone or not', async () => {
    const owner = db.as(db.owner);
    const source = await sourceBase(db, 'Templated');
    const saved = await owner.post(`/api/v1/bases/${source.baseId}/save-as-template`, {
      name: 'With files',
      withData: true,
    });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(201);
    const knex = db.app.dataplane.knex;
    const templateFiles = await knex(`${db.schema}.attachments`).where({ template_id: saved.body.id });
    expect(templateFiles).to.have.length(2);
    expect(templateFiles.every((f: { table_id: string | null }) => f.table_id === null)).to.equal(true);
    for (const file of templateFiles)
      expect((await download(db, db.owner, file.id)).status, 'a template’s file is no cell’s').to.equal(404);
    expect(
      await knex('resource_directory').whereIn(
        'id',
        templateFiles.map((f: { id: string }) => f.id),
      ),
    ).to.have.length(0);

    expect((await owner.delete(`/api/v1/bases/${source.baseId}`)).status).to.equal(204);
    const made: string[] = [];
    for (const name of ['From template', 'Again']) {
      const base = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases/from-template`, {
        templateId: saved.body.id,
        name,
      });
      expect(base.status, JSON.stringify(base.body)).to.equal(201);
      const table = await onlyTable(db, base.body.id);
      const copies = await expectOwnCopies(db, source, table);
      expect(copies.some((c) => templateFiles.some((f: { id: string }) => f.id === c.id))).to.equal(false);
      await expectWritableCells(db, table.id);
      made.push(...copies.map((c) => c.id));
    }
    expect(new Set(made).size, 'each base has its own copies').to.equal(4);
  });
});

describe('mini-DB: duplicates and templates copy attachment files (S3-compatible store)', () => {
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

  const keyOf = (id: string) => `${db.workspaceId}/${id}`;

  it('copies objects inside the bucket, and the copy outlives its source', async () => {
    const source = await sourceBase(db, 'Bucketed');
    const logged = s3.log.length;
    const dup = await db.as(db.owner).post(`/api/v1/bases/${source.baseId}/duplicate`, { withData: true });
    expect(dup.status, JSON.stringify(dup.body)).to.equal(201);
    const during = s3.log.slice(logged);
    expect(during.map((l) => [l.method, l.status, l.copySource])).to.deep.equal(
      source.files.map((f) => ['PUT', 200, keyOf(f.descriptor.id)]),
    );
    const copyTable = await onlyTable(db, dup.body.id);
    const copies = await expectOwnCopies(db, source, copyTable);
    for (const [i, copy] of copies.entries()) {
      expect(s3.objects.get(keyOf(copy.id))?.body.equals(source.files[i]!.bytes)).to.equal(true);
      expect(s3.objects.get(keyOf(copy.id))?.contentType).to.equal('application/x-test');
      const row = await db.app.dataplane.knex(`${db.schema}.attachments`).where({ id: copy.id }).first();
      expect(row).to.include({ storage: 's3', storage_key: keyOf(copy.id) });
    }
    await expectWritableCells(db, copyTable.id);

    expect((await db.as(db.owner).delete(`/api/v1/bases/${source.baseId}`)).status).to.equal(204);
    await expectOwnCopies(db, source, copyTable);
    const queued = await db.app.dataplane
      .knex(`${db.schema}.attachment_object_removals`)
      .select('storage_key');
    expect(queued.map((q: { storage_key: string }) => q.storage_key)).to.include.members([
      ...source.files.map((f) => keyOf(f.descriptor.id)),
      keyOf(source.unreferenced.id),
    ]);
    expect(s3.log.filter((l) => l.status >= 400)).to.deep.equal([]);
  });

  it('copies a template’s objects when saving and again when building a base', async () => {
    const owner = db.as(db.owner);
    const source = await sourceBase(db, 'Template source');
    const saved = await owner.post(`/api/v1/bases/${source.baseId}/save-as-template`, {
      name: 'Bucket template',
      withData: true,
    });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(201);
    const templateFiles = await db.app.dataplane
      .knex(`${db.schema}.attachments`)
      .where({ template_id: saved.body.id });
    for (const file of templateFiles) expect(s3.objects.has(file.storage_key)).to.equal(true);
    const base = await owner.post(`/api/v1/workspaces/${db.workspaceId}/bases/from-template`, {
      templateId: saved.body.id,
    });
    expect(base.status, JSON.stringify(base.body)).to.equal(201);
    const table = await onlyTable(db, base.body.id);
    for (const copy of await expectOwnCopies(db, source, table))
      expect(s3.objects.has(keyOf(copy.id))).to.equal(true);
  });

  it('takes the objects it copied back when the duplicate fails, and records nothing', async () => {
    const owner = db.as(db.owner);
    const source = await sourceBase(db, 'Half broken');
    const second = await owner.post(`/api/v1/bases/${source.baseId}/tables`, {
      name: 'Lost',
      columns: [{ name: 'Files', type: 'attachment' }],
    });
    const lost = await upload(db, db.owner, second.body.id, Buffer.from('lost bytes'));
    await owner.post(`/api/v1/tables/${second.body.id}/rows`, { fields: { Files: [lost.body] } });
    // The second table's object vanished from the bucket: its copy fails after the first table's.
    s3.objects.delete(keyOf(lost.body.id));
    const objects = new Set(s3.objects.keys());
    const bases = await count(db, 'bases');
    const attachments = await count(db, 'attachments');

    const dup = await owner.post(`/api/v1/bases/${source.baseId}/duplicate`, { withData: true });
    expect([dup.status, dup.body.code]).to.deep.equal([503, 'object_store_rejected']);
    const copied = s3.log.filter((l) => l.copySource && l.status === 200).slice(-2);
    expect(copied.map((l) => l.copySource)).to.deep.equal(source.files.map((f) => keyOf(f.descriptor.id)));
    for (const { key } of copied) expect(s3.objects.has(key), 'taken back').to.equal(false);
    expect(new Set(s3.objects.keys())).to.deep.equal(objects);
    expect(await count(db, 'bases')).to.equal(bases);
    expect(await count(db, 'attachments')).to.equal(attachments);
  });
});
