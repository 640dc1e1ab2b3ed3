import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { eventually } from '../../support/eventually.js';
import { startMiniDb, type MiniDb } from '../minidb/minidb-fixture.js';
import { callPublic, peopleView, publish, uniqueSlug } from './public-api-fixture.js';

const KEY = /^lt_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

/** API keys: shown once, kept hashed, scoped, expiring, revoked at once, their last use noted. */
describe('API keys of a public API', () => {
  let db: MiniDb;
  let viewId: string;
  let slug: string;
  let firstKey: string;
  before(async () => {
    db = await startMiniDb('keys');
    ({ viewId } = await peopleView(db));
    slug = uniqueSlug('keyed');
    const published = await publish(db, viewId, { slug, auth: 'apiKey' });
    firstKey = published.apiKey;
  });
  after(() => db.stop());

  const keysOf = (id: string) => `/api/v1/views/${id}/api/keys`;
  const withKey = (key: string) => ({ headers: { 'x-api-key': key } });
  const issue = async (body: Record<string, unknown> = {}) => {
    const res = await db.as(db.owner).post(keysOf(viewId), body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };

  it('publishing with apiKey auth shows the first key once; lists show its prefix only', async () => {
    expect(firstKey).to.match(KEY);
    const list = await db.as(db.owner).get(keysOf(viewId));
    expect(list.status).to.equal(200);
    expect(list.body.data).to.have.length.greaterThan(0);
    const [first] = list.body.data;
    expect(first.prefix).to.equal(KEY.exec(firstKey)?.[1]);
    expect(first.scopes).to.deep.equal(['data:read', 'data:export']);
    expect(JSON.stringify(list.body)).to.not.include(KEY.exec(firstKey)?.[2]);
    expect(first).to.not.have.property('key');
    expect((await db.as(db.owner).get(`/api/v1/views/${viewId}/api`)).body).to.not.have.property('apiKey');
  });

  it('keeps only the SHA-256 of the secret at rest', async () => {
    const issued = await issue({ name: 'hashed' });
    const [, prefix, secret] = KEY.exec(issued.key) ?? [];
    const row = await db.app.dataplane.knex
      .withSchema(db.schema)
      .table('api_keys')
      .where({ id: issued.id })
      .first();
    expect(row.prefix).to.equal(prefix);
    expect(row.secret_hash).to.equal(createHash('sha256').update(String(secret)).digest('hex'));
    expect(JSON.stringify(row)).to.not.include(String(secret));
  });

  it('accepts the key as X-API-Key and as Authorization: Bearer', async () => {
    expect((await callPublic(db.app, slug, withKey(firstKey))).status).to.equal(200);
    const bearer = await callPublic(db.app, slug, { headers: { authorization: `Bearer ${firstKey}` } });
    expect(bearer.status).to.equal(200);
  });

  it('refuses a missing, malformed, wrong or foreign key with the same kind of 401', async () => {
    const missing = await callPublic(db.app, slug);
    expect([missing.status, missing.body.code]).to.deep.equal([401, 'api_key_required']);
    expect(missing.headers.get('content-type')).to.match(/^application\/problem\+json/);
    const [, prefix] = KEY.exec(firstKey) ?? [];
    const other = await peopleView(db);
    const foreign = (await publish(db, other.viewId, { slug: uniqueSlug('foreign'), auth: 'apiKey' })).apiKey;
    for (const key of [
      'not-a-key',
      `lt_${prefix}_${'A'.repeat(43)}`, // right prefix, wrong secret
      `lt_zzzzzzzzzz_${'A'.repeat(43)}`, // unknown prefix
      foreign, // a real key of another API
    ]) {
      const res = await callPublic(db.app, slug, withKey(key));
      expect([res.status, res.body.code], key).to.deep.equal([401, 'invalid_api_key']);
    }
  });

  it('an expired key is refused (401 api_key_expired); a past expiry is refused when issuing (422)', async () => {
    const past = await db
      .as(db.owner)
      .post(keysOf(viewId), { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect([past.status, past.body.code]).to.deep.equal([422, 'validation_failed']);
    const issued = await issue({ expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect((await callPublic(db.app, slug, withKey(issued.key))).status).to.equal(200);
    await sleep(1600);
    const expired = await callPublic(db.app, slug, withKey(issued.key));
    expect([expired.status, expired.body.code]).to.deep.equal([401, 'api_key_expired']);
  });

  it('a revoked key is refused on the very next request, though it was cached', async () => {
    const issued = await issue({ name: 'to revoke' });
    expect((await callPublic(db.app, slug, withKey(issued.key))).status).to.equal(200);
    expect((await db.as(db.owner).delete(`${keysOf(viewId)}/${issued.id}`)).status).to.equal(204);
    const refused = await callPublic(db.app, slug, withKey(issued.key));
    expect([refused.status, refused.body.code]).to.deep.equal([401, 'api_key_revoked']);
    const listed = (await db.as(db.owner).get(keysOf(viewId))).body.data.find(
      (k: { id: string }) => k.id === issued.id,
    );
    expect(listed.revokedAt).to.be.a('string');
    // Revoking again changes nothing; another key of the API still works.
    expect((await db.as(db.owner).delete(`${keysOf(viewId)}/${issued.id}`)).status).to.equal(204);
    expect((await callPublic(db.app, slug, withKey(firstKey))).status).to.equal(200);
    const unknown = await db.as(db.owner).delete(`${keysOf(viewId)}/01a21344-f60b-703b-a594-5c56f1e34ca3`);
    expect(unknown.status).to.equal(404);
    expect((await db.as(db.owner).delete(`${keysOf(viewId)}/not-a-uuid`)).status).to.equal(404);
  });

  it('scopes: data:read reads JSON, data:export reads CSV; anything else is 403 insufficient_scope', async () => {
    const reader = await issue({ scopes: ['data:read'] });
    const exporter = await issue({ scopes: ['data:export'] });
    const csv = { 'x-api-key': reader.key, accept: 'text/csv' };
    expect((await callPublic(db.app, slug, withKey(reader.key))).status).to.equal(200);
    const noCsv = await callPublic(db.app, slug, { headers: csv });
    expect([noCsv.status, noCsv.body.code]).to.deep.equal([403, 'insufficient_scope']);
    const exported = await callPublic(db.app, slug, {
      headers: { 'x-api-key': exporter.key, accept: 'text/csv' },
    });
    expect(exported.status).to.equal(200);
    const noJson = await callPublic(db.app, slug, withKey(exporter.key));
    expect([noJson.status, noJson.body.code]).to.deep.equal([403, 'insufficient_scope']);
    const bad = await db.as(db.owner).post(keysOf(viewId), { scopes: ['data:write'] });
    expect(bad.status).to.equal(422);
  });

  it('notes when a key was last used, off the request and at most once a minute', async () => {
    const issued = await issue({ name: 'last used' });
    expect(issued.lastUsedAt).to.equal(null);
    expect((await callPublic(db.app, slug, withKey(issued.key))).status).to.equal(200);
    const lastUsed = async () =>
      (
        await db.app.dataplane.knex
          .withSchema(db.schema)
          .table('api_keys')
          .where({ id: issued.id })
          .first('last_used_at')
      ).last_used_at as Date | null;
    const first = await eventually(async () => {
      const at = await lastUsed();
      expect(at).to.be.instanceOf(Date);
      return at as Date;
    });
    expect(Math.abs(first.getTime() - Date.now())).to.be.lessThan(10_000);
    for (let i = 0; i < 3; i++)
      expect((await callPublic(db.app, slug, withKey(issued.key))).status).to.equal(200);
    await sleep(200);
    expect((await lastUsed())?.getTime()).to.equal(first.getTime());
    const listed = (await db.as(db.owner).get(keysOf(viewId))).body.data.find(
      (k: { id: string }) => k.id === issued.id,
    );
    expect(Date.parse(listed.lastUsedAt)).to.equal(first.getTime());
    // Not a change anybody made: no audit entry for it.
    const entries = await db.app.dataplane.knex
      .withSchema(db.schema)
      .table('audit_logs')
      .where({ resource_id: issued.id })
      .select('action');
    expect(entries.map((e) => e.action)).to.deep.equal(['api_key.create']);
  });

  it('pages key lists with a cursor', async () => {
    for (let i = 0; i < 3; i++) await issue({ name: `paged ${i}` });
    const first = await db.as(db.owner).get(`${keysOf(viewId)}?limit=2`);
    expect(first.body.data).to.have.length(2);
    expect(first.body.nextCursor).to.be.a('string');
    const second = await db.as(db.owner).get(`${keysOf(viewId)}?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.data[0].id > first.body.data[1].id).to.equal(true);
  });
});
