import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { newId } from '../../../dataplane/src/platform/ids.js';
import type { S3Fake } from '../../fixtures/s3/s3-fake.js';
import { registerUser } from '../../support/test-app.js';
import { count, download, upload } from './attachment-requests.js';
import { physicalTable, startMiniDb, type MiniDb, type TableBody, type User } from './minidb-fixture.js';
import { s3Env, startS3Fake } from '../../fixtures/s3/s3-fake-settings.js';

/** Every byte value, several times over. */
const EVERY_BYTE = Buffer.from(Array.from({ length: 256 * 3 }, (_, i) => i % 256));
const UNICODE_NAME = 'Zoë 日本 🚀 "report" (final).bin';
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** What a refused upload must leave as it was. */
async function stored(db: MiniDb) {
  return {
    attachments: await count(db, 'attachments'),
    chunks: await count(db, 'attachment_chunks'),
    directory: await db.app.dataplane
      .knex('resource_directory')
      .where({ kind: 'attachment' })
      .count('* as n'),
    audit: await count(db, 'audit_logs', { action: 'attachment.upload' }),
  };
}

function addMember(db: MiniDb, role: 'editor' | 'viewer'): Promise<User> {
  return db.member(role, role);
}

describe('mini-DB: attachments kept in PostgreSQL, over HTTP', () => {
  let db: MiniDb;
  let table: TableBody;
  let viewer: User;
  let editor: User;
  before(async () => {
    db = await startMiniDb();
    table = await db.as(db.owner).table({
      name: 'Documents',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Files', type: 'attachment' },
      ],
    });
    viewer = await addMember(db, 'viewer');
    editor = await addMember(db, 'editor');
  });
  after(() => db.stop());

  it('round-trips every byte value under a unicode name, with safe download headers', async () => {
    const up = await upload(db, db.owner, table.id, EVERY_BYTE, {
      query: `?name=${encodeURIComponent(UNICODE_NAME)}`,
      headers: { 'content-type': 'application/x-custom; charset=binary' },
    });
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    expect(up.body).to.deep.equal({
      id: up.body.id,
      name: UNICODE_NAME,
      size: EVERY_BYTE.length,
      mimeType: 'application/x-custom; charset=binary',
    });
    const got = await download(db, db.owner, up.body.id);
    expect(got.status).to.equal(200);
    expect(got.bytes.equals(EVERY_BYTE)).to.equal(true);
    expect(got.headers.get('content-type')).to.equal('application/x-custom; charset=binary');
    expect(got.headers.get('content-length')).to.equal(String(EVERY_BYTE.length));
    expect(got.headers.get('x-content-type-options')).to.equal('nosniff');
    const disposition = got.headers.get('content-disposition') ?? '';
    expect(disposition).to.match(/^attachment; /);
    expect(disposition).to.include(
      `filename*=UTF-8''${encodeURIComponent(UNICODE_NAME).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
    );
    expect(disposition).to.include('filename="Zo_ __ _ _report_ (final).bin"');

    const row = await db.app.dataplane.knex(`${db.schema}.attachments`).where({ id: up.body.id }).first();
    expect(row).to.include({ table_id: table.id, sha256: sha256(EVERY_BYTE), storage: 'postgres' });
    expect(row.storage_key).to.equal(null);
    expect(await db.app.dataplane.knex('resource_directory').where({ id: up.body.id }).first()).to.include({
      workspace_id: db.workspaceId,
      kind: 'attachment',
      base_id: db.baseId,
    });
    const entry = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ action: 'attachment.upload', resource_id: up.body.id })
      .first();
    expect(entry).to.include({ actor_id: db.owner.id, parent_id: table.id, resource_type: 'attachment' });
  });

  it('names files from X-File-Name or Content-Disposition, else "file"; any body is stored as is', async () => {
    const json = Buffer.from('{"not": "parsed"}');
    const byHeader = await upload(db, db.owner, table.id, json, {
      headers: { 'content-type': 'application/json', 'x-file-name': encodeURIComponent('données.json') },
    });
    expect(byHeader.status, JSON.stringify(byHeader.body)).to.equal(201);
    expect(byHeader.body).to.include({
      name: 'données.json',
      mimeType: 'application/json',
      size: json.length,
    });
    expect((await download(db, db.owner, byHeader.body.id)).bytes.equals(json)).to.equal(true);

    const byDisposition = await upload(db, db.owner, table.id, Buffer.from('x'), {
      headers: {
        'content-disposition': `attachment; filename="plain.txt"; filename*=UTF-8''%C3%A9t%C3%A9.txt`,
      },
    });
    expect(byDisposition.body).to.include({ name: 'été.txt', mimeType: 'application/octet-stream' });

    const unnamed = await upload(db, db.owner, table.id, Buffer.alloc(0));
    expect(unnamed.status).to.equal(201);
    expect(unnamed.body).to.include({ name: 'file', size: 0 });
    const empty = await download(db, db.owner, unnamed.body.id);
    expect([empty.status, empty.bytes.length]).to.deep.equal([200, 0]);

    const bad = await upload(db, db.owner, table.id, Buffer.from('x'), { query: '?name=a%0Ab' });
    expect([bad.status, bad.body.code]).to.deep.equal([422, 'validation_failed']);
    const badType = await upload(db, db.owner, table.id, Buffer.from('x'), {
      headers: { 'content-type': 'not a type' },
    });
    expect(badType.status).to.equal(422);
  });

  it('streams a multi-chunk file in and out identical, sent with or without a Content-Length', async () => {
    const big = randomBytes(1024 * 1024 + 123);
    const whole = await upload(db, db.owner, table.id, big, { query: '?name=big.bin' });
    expect(whole.status, JSON.stringify(whole.body)).to.equal(201);
    expect(await count(db, 'attachment_chunks', { attachment_id: whole.body.id })).to.equal(5);
    const got = await download(db, db.owner, whole.body.id);
    expect(got.bytes.length).to.equal(big.length);
    expect(got.bytes.equals(big)).to.equal(true);

    const pieces = Array.from({ length: 16 }, (_, i) => big.subarray(i * 65_600, (i + 1) * 65_600));
    const chunked = await upload(db, db.owner, table.id, pieces, { query: '?name=chunked.bin' });
    expect(chunked.status, JSON.stringify(chunked.body)).to.equal(201);
    const sent = Buffer.concat(pieces);
    expect(chunked.body.size).to.equal(sent.length);
    expect((await download(db, db.owner, chunked.body.id)).bytes.equals(sent)).to.equal(true);
  });

  it('puts the stored descriptor in attachment cells, whatever the client sent', async () => {
    const owner = db.as(db.owner);
    const up = await upload(db, db.owner, table.id, Buffer.from('hello'), {
      query: '?name=hello.txt',
      headers: { 'content-type': 'text/plain' },
    });
    const real = { id: up.body.id, name: 'hello.txt', size: 5, mimeType: 'text/plain' };
    const forged = { ...real, name: 'forged.exe', size: 1, mimeType: 'application/x-msdownload' };
    const created = await owner.post(`/api/v1/tables/${table.id}/rows`, {
      fields: { Title: 'one', Files: [forged] },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.fields.Files).to.deep.equal([real]);
    const second = await upload(db, db.owner, table.id, Buffer.from('again'), { query: '?name=b.txt' });
    const patched = await owner.patch(`/api/v1/tables/${table.id}/rows/${created.body.id}`, {
      fields: { Files: [{ ...second.body, name: 'renamed' }, forged] },
    });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    expect(patched.body.fields.Files).to.deep.equal([second.body, real]);
    const bulk = await owner.post(`/api/v1/tables/${table.id}/rows/bulk`, {
      operation: 'create',
      rows: [{ fields: { Files: [real] } }, { fields: { Files: [] } }],
    });
    expect(bulk.status, JSON.stringify(bulk.body)).to.equal(200);
    expect(bulk.body.data.map((r: { fields: { Files: unknown } }) => r.fields.Files)).to.deep.equal([
      [real],
      [],
    ]);
  });

  it('refuses cells naming a forged id or another table’s file with 422 invalid_attachment, writing nothing', async () => {
    const owner = db.as(db.owner);
    const other = await owner.table({ name: 'Other', columns: [{ name: 'Files', type: 'attachment' }] });
    const foreign = await upload(db, db.owner, other.id, Buffer.from('elsewhere'), { query: '?name=e.txt' });
    const mine = await upload(db, db.owner, table.id, Buffer.from('mine'), { query: '?name=m.txt' });
    const forged = { id: newId(), name: 'x.txt', size: 1, mimeType: 'text/plain' };
    const rowsBefore = await count(db, physicalTable(table.id));
    for (const files of [[forged], [mine.body, foreign.body]]) {
      const res = await owner.post(`/api/v1/tables/${table.id}/rows`, {
        fields: { Title: 'no', Files: files },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(422);
      expect(res.body.errors).to.deep.include({
        path: 'fields.Files',
        message: `attachment ${files.at(-1)?.id} was not uploaded to this table`,
        index: 0,
        code: 'invalid_attachment',
        detail: `attachment ${files.at(-1)?.id} was not uploaded to this table`,
      });
    }
    const bulk = await owner.post(`/api/v1/tables/${table.id}/rows/bulk`, {
      operation: 'create',
      rows: [{ fields: { Files: [mine.body] } }, { fields: { Files: [foreign.body] } }],
    });
    expect(bulk.status).to.equal(422);
    expect(bulk.body.errors).to.have.length(1);
    expect(bulk.body.errors[0]).to.include({ index: 1, code: 'invalid_attachment' });
    expect(await count(db, physicalTable(table.id))).to.equal(rowsBefore);

    const row = await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Files: [mine.body] } });
    const patched = await owner.patch(`/api/v1/tables/${table.id}/rows/${row.body.id}`, {
      fields: { Files: [foreign.body] },
    });
    expect([patched.status, patched.body.errors?.[0]?.code]).to.deep.equal([422, 'invalid_attachment']);
    const after = await owner.get(`/api/v1/tables/${table.id}/rows/${row.body.id}`);
    expect([after.body.version, after.body.fields.Files]).to.deep.equal([1, [mine.body]]);
  });

  it('answers 404 for another workspace’s attachment, both ways', async () => {
    const stranger = await registerUser(db.app, 'stranger');
    const ws = await db.app.request('POST', '/api/v1/workspaces', {
      token: stranger.accessToken,
      body: { name: 'Elsewhere' },
    });
    const base = await db.app.request('POST', `/api/v1/workspaces/${ws.body.id}/bases`, {
      token: stranger.accessToken,
      body: { name: 'B' },
    });
    const theirTable = await db.app.request('POST', `/api/v1/bases/${base.body.id}/tables`, {
      token: stranger.accessToken,
      body: { name: 'T', columns: [{ name: 'Files', type: 'attachment' }] },
    });
    const theirs = await upload(db, stranger, theirTable.body.id, Buffer.from('secret'), {
      query: '?name=s',
    });
    expect(theirs.status).to.equal(201);
    const mine = await upload(db, db.owner, table.id, Buffer.from('mine'), { query: '?name=m' });
    for (const [user, id] of [
      [db.owner, theirs.body.id],
      [stranger, mine.body.id],
    ] as const) {
      const res = await download(db, user, id);
      expect(res.status).to.equal(404);
      expect(JSON.parse(res.bytes.toString()).code).to.equal('not_found');
    }
    expect((await download(db, db.owner, newId())).status).to.equal(404);
    const intoMine = await upload(db, stranger, table.id, Buffer.from('x'));
    expect(intoMine.status).to.equal(404);
    const cell = await db
      .as(db.owner)
      .post(`/api/v1/tables/${table.id}/rows`, { fields: { Files: [theirs.body] } });
    expect([cell.status, cell.body.errors?.[0]?.code]).to.deep.equal([422, 'invalid_attachment']);
  });

  it('lets a viewer download but not upload (403, nothing stored); an editor uploads', async () => {
    const up = await upload(db, db.owner, table.id, Buffer.from('for all'), { query: '?name=all.txt' });
    const seen = await download(db, viewer, up.body.id);
    expect([seen.status, seen.bytes.toString()]).to.deep.equal([200, 'for all']);
    const before = await stored(db);
    const refused = await upload(db, viewer, table.id, randomBytes(100_000), { query: '?name=no' });
    expect([refused.status, refused.body.code]).to.deep.equal([403, 'forbidden']);
    expect(await stored(db)).to.deep.equal(before);
    expect((await upload(db, editor, table.id, Buffer.from('ok'))).status).to.equal(201);
  });

  it('answers 404 for a table that does not exist or is archived, and drops files with their table', async () => {
    const owner = db.as(db.owner);
    expect((await upload(db, db.owner, newId(), Buffer.from('x'))).status).to.equal(404);
    const doomed = await owner.table({ name: 'Doomed', columns: [{ name: 'F', type: 'attachment' }] });
    const up = await upload(db, db.owner, doomed.id, randomBytes(300_000), { query: '?name=d' });
    expect(await owner.post(`/api/v1/tables/${doomed.id}/archive`)).to.have.property('status', 200);
    expect((await download(db, db.owner, up.body.id)).status).to.equal(404);
    expect((await upload(db, db.owner, doomed.id, Buffer.from('x'))).status).to.equal(404);
    expect(await owner.delete(`/api/v1/tables/${doomed.id}`)).to.have.property('status', 204);
    expect(await count(db, 'attachments', { id: up.body.id })).to.equal(0);
    expect(await count(db, 'attachment_chunks', { attachment_id: up.body.id })).to.equal(0);
  });

  it('refuses a default for attachment columns, and documents the routes in OpenAPI', async () => {
    const res = await db.as(db.owner).post(`/api/v1/tables/${table.id}/columns`, {
      name: 'Defaulted',
      type: 'attachment',
      default: [{ id: newId(), name: 'a', size: 1, mimeType: 'text/plain' }],
    });
    expect(res.status).to.equal(422);
    const doc = await db.app.request('GET', '/api/v1/openapi.json');
    const uploadOp = doc.body.paths['/api/v1/tables/{id}/attachments'].post;
    expect(uploadOp['x-permission']).to.equal('data:write');
    expect(uploadOp.requestBody.content['application/octet-stream'].schema).to.deep.equal({
      type: 'string',
      contentMediaType: 'application/octet-stream',
    });
    const downloadOp = doc.body.paths['/api/v1/attachments/{id}'].get;
    expect(downloadOp['x-permission']).to.equal('data:read');
    expect(downloadOp.responses['200'].content).to.have.property('application/octet-stream');
  });
});

describe('mini-DB: the attachment size limit (LT_ATTACHMENT_MAX_BYTES)', () => {
  const LIMIT = 64 * 1024;
  let db: MiniDb;
  let table: TableBody;
  before(async () => {
    db = await startMiniDb('owner', { LT_ATTACHMENT_MAX_BYTES: String(LIMIT) });
    table = await db.as(db.owner).table({ name: 'Small', columns: [{ name: 'F', type: 'attachment' }] });
  });
  after(() => db.stop());

  it('answers 413 and stores nothing for a file over the limit, announced or streamed', async () => {
    const before = await stored(db);
    const announced = await upload(db, db.owner, table.id, randomBytes(LIMIT + 1));
    expect([announced.status, announced.body.code]).to.deep.equal([413, 'payload_too_large']);
    const streamed = await upload(db, db.owner, table.id, [randomBytes(LIMIT), randomBytes(10)]);
    expect([streamed.status, streamed.body.code]).to.deep.equal([413, 'payload_too_large']);
    expect(await stored(db)).to.deep.equal(before);
    const exact = await upload(db, db.owner, table.id, randomBytes(LIMIT));
    expect([exact.status, exact.body.size]).to.deep.equal([201, LIMIT]);
  });
});

describe('mini-DB: attachments kept in an S3-compatible store', () => {
  let s3: S3Fake;
  let db: MiniDb;
  let table: TableBody;
  before(async () => {
    s3 = await startS3Fake();
    db = await startMiniDb('owner', s3Env(s3));
    table = await db.as(db.owner).table({
      name: 'Bucketed',
      columns: [{ name: 'Files', type: 'attachment' }],
    });
  });
  after(async () => {
    await db.stop();
    await s3.close();
  });

  it('round-trips every byte value and a multi-megabyte file through the bucket', async () => {
    const big = randomBytes(2 * 1024 * 1024 + 7);
    for (const [content, name] of [
      [EVERY_BYTE, UNICODE_NAME],
      [big, 'big.bin'],
    ] as const) {
      const up = await upload(db, db.owner, table.id, content, {
        query: `?name=${encodeURIComponent(name)}`,
        headers: { 'content-type': 'image/png' },
      });
      expect(up.status, JSON.stringify(up.body)).to.equal(201);
      const key = `${db.workspaceId}/${up.body.id}`;
      expect(s3.objects.get(key)?.body.equals(content)).to.equal(true);
      expect(s3.objects.get(key)?.contentType).to.equal('image/png');
      const row = await db.app.dataplane.knex(`${db.schema}.attachments`).where({ id: up.body.id }).first();
      expect(row).to.include({ storage: 's3', storage_key: key, sha256: sha256(content) });
      expect(await count(db, 'attachment_chunks', { attachment_id: up.body.id })).to.equal(0);
      const got = await download(db, db.owner, up.body.id);
      expect(got.status).to.equal(200);
      expect(got.bytes.equals(content)).to.equal(true);
      expect(got.headers.get('content-type')).to.equal('image/png');
    }
    expect(s3.log.filter((l) => l.status >= 400)).to.deep.equal([]);
  });

  it('puts bucket files in attachment cells like any other', async () => {
    const up = await upload(db, db.owner, table.id, Buffer.from('in a bucket'), { query: '?name=b.txt' });
    const row = await db.as(db.owner).post(`/api/v1/tables/${table.id}/rows`, {
      fields: { Files: [{ ...up.body, name: 'forged' }] },
    });
    expect(row.status, JSON.stringify(row.body)).to.equal(201);
    expect(row.body.fields.Files).to.deep.equal([up.body]);
  });

  it('413 never reaches the bucket; a store refusing the signature is a 503 that records nothing', async () => {
    const small = await startMiniDb('small', { ...s3Env(s3), LT_ATTACHMENT_MAX_BYTES: '1000' });
    const wrong = await startMiniDb('wrong', s3Env(s3, 'not-the-secret'));
    try {
      const requests = s3.log.length;
      const smallTable = await small
        .as(small.owner)
        .table({ name: 'S', columns: [{ name: 'F', type: 'attachment' }] });
      const tooBig = await upload(small, small.owner, smallTable.id, [randomBytes(800), randomBytes(800)]);
      expect(tooBig.status).to.equal(413);
      expect(s3.log.length).to.equal(requests);

      const wrongTable = await wrong
        .as(wrong.owner)
        .table({ name: 'W', columns: [{ name: 'F', type: 'attachment' }] });
      const before = await stored(wrong);
      const refused = await upload(wrong, wrong.owner, wrongTable.id, Buffer.from('x'));
      expect([refused.status, refused.body.code]).to.deep.equal([503, 'object_store_rejected']);
      expect(s3.log.at(-1)).to.include({ method: 'PUT', status: 403, error: 'SignatureDoesNotMatch' });
      expect(await stored(wrong)).to.deep.equal(before);
    } finally {
      await small.stop();
      await wrong.stop();
    }
  });
});
