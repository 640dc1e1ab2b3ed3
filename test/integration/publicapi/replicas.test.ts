import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { BUS_GAP } from '../../../dataplane/src/platform/event-bus.js';
import { REDIS_URL } from '../../support/databases.js';
import { eventually } from '../../support/eventually.js';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { startMiniDb, type MiniDb } from '../minidb/minidb-fixture.js';
import { callPublic, namesOf, peopleView, publish, uniqueSlug, viewQueries } from './public-api-fixture.js';

/**
 * Two dataplanes on one database and one Redis, as a tenant's replicas run: what one replica
 * changes, the other serves correctly: a disabled API and a revoked key are refused there once
 * the change's event arrives (a Redis round trip), rate limits are counted together, data that
 * changed is seen by the very next request, and a stale or missing entry is loaded once for
 * both.
 */
describe('public APIs on two replicas sharing PostgreSQL and Redis', () => {
  let db: MiniDb;
  let other: TestApp;
  const env = { REDIS_URL, TRUST_PROXY: 'true', LT_PUBLIC_API_WARM_TOP: '0' };
  before(async () => {
    db = await startMiniDb('replicas', env);
    other = await startTestApp({ ...env, DATABASE_URL: db.app.databaseUrl });
  });
  after(async () => {
    await other.stop();
    await db.stop();
  });

  const runs = async (slug: string) => (await viewQueries(db.app, slug)) + (await viewQueries(other, slug));
  const both = () => [db.app, other];

  it('disabling on one replica: 404 there at once, and on the other once it hears', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('disable');
    await publish(db, viewId, { slug, auth: 'public' });
    for (const app of both()) expect((await callPublic(app, slug)).status).to.equal(200); // cached on both
    const off = await db
      .as(db.owner)
      .put(`/api/v1/views/${viewId}/api`, { slug, auth: 'public', enabled: false });
    expect(off.status).to.equal(200);
    expect((await callPublic(db.app, slug)).status).to.equal(404);
    await eventually(async () => expect((await callPublic(other, slug)).status).to.equal(404), 2_000, 5);
  });

  it('revoking a key on one replica: refused there at once, and on the other once it hears', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('revoke');
    const { apiKey, apiKeyId } = await publish(db, viewId, { slug, auth: 'apiKey' });
    const withKey = { headers: { 'x-api-key': apiKey } };
    for (const app of both()) expect((await callPublic(app, slug, withKey)).status).to.equal(200);
    expect((await db.as(db.owner).delete(`/api/v1/views/${viewId}/api/keys/${apiKeyId}`)).status).to.equal(
      204,
    );
    expect((await callPublic(db.app, slug, withKey)).body.code).to.equal('api_key_revoked');
    await eventually(
      async () => expect((await callPublic(other, slug, withKey)).body.code).to.equal('api_key_revoked'),
      2_000,
      5,
    );
  });

  it('a bus gap (events possibly missed) forgets every cached API and key', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('gap');
    await publish(db, viewId, { slug, auth: 'public' });
    expect((await callPublic(other, slug)).status).to.equal(200); // cached on the other replica
    // A change the other replica never hears of: written behind the dataplane's back.
    await db.app.dataplane.knex
      .withSchema(db.schema)
      .table('view_apis')
      .where({ view_id: viewId })
      .update({ enabled: false });
    expect((await callPublic(other, slug)).status).to.equal(200); // still cached: nothing said it changed
    await other.dataplane.bus.publish({
      type: BUS_GAP,
      workspaceId: null,
      actorId: null,
      at: new Date().toISOString(),
      payload: {},
    });
    expect((await callPublic(other, slug)).status).to.equal(404);
  });

  it('counts a key’s requests on both replicas against one limit', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('shared-key-limit');
    const { apiKey } = await publish(db, viewId, {
      slug,
      auth: 'apiKey',
      rateLimit: { requestsPerMinute: 4, requestsPerMinutePerIp: 1000 },
    });
    const remaining: string[] = [];
    for (const app of [db.app, other, db.app, other]) {
      const res = await callPublic(app, slug, {
        headers: { 'x-api-key': apiKey, 'x-forwarded-for': '10.9.0.1' },
      });
      expect(res.status).to.equal(200);
      remaining.push(String(res.headers.get('ratelimit-remaining')));
    }
    expect(remaining).to.deep.equal(['3', '2', '1', '0']);
    for (const app of both()) {
      const res = await callPublic(app, slug, {
        headers: { 'x-api-key': apiKey, 'x-forwarded-for': '10.9.0.2' },
      });
      expect([res.status, res.body.code]).to.deep.equal([429, 'rate_limited']);
      expect(res.headers.get('retry-after')).to.be.a('string');
    }
  });

  it('counts an address’s requests on both replicas against one limit', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('shared-ip-limit');
    await publish(db, viewId, {
      slug,
      auth: 'public',
      rateLimit: { requestsPerMinute: 100, requestsPerMinutePerIp: 2 },
    });
    const ip = { headers: { 'x-forwarded-for': '10.8.0.1' } };
    expect((await callPublic(db.app, slug, ip)).status).to.equal(200);
    expect((await callPublic(other, slug, ip)).status).to.equal(200);
    expect((await callPublic(db.app, slug, ip)).status).to.equal(429);
    expect((await callPublic(other, slug, ip)).status).to.equal(429);
    expect((await callPublic(other, slug, { headers: { 'x-forwarded-for': '10.8.0.2' } })).status).to.equal(
      200,
    );
  });

  it('a change committed through one replica is in the very next answer of the other', async () => {
    const { viewId, table } = await peopleView(db);
    const slug = uniqueSlug('fresh');
    await publish(db, viewId, { slug, auth: 'public', cacheTtlSeconds: 3600 });
    const query = { query: { sort: 'Name' } };
    expect((await callPublic(other, slug, query)).headers.get('x-cache')).to.equal('MISS');
    expect((await callPublic(other, slug, query)).headers.get('x-cache')).to.equal('HIT');
    expect((await callPublic(db.app, slug, query)).headers.get('x-cache')).to.equal('HIT'); // the shared copy
    for (const name of ['Alan', 'Zuse']) {
      const created = await db
        .as(db.owner)
        .post(`/api/v1/tables/${table.id}/rows`, { fields: { Name: name } });
      expect(created.status).to.equal(201);
      const seen = await callPublic(other, slug, query); // no waiting
      expect(namesOf(seen)).to.include(name);
      expect(seen.headers.get('x-cache')).to.equal('MISS');
      expect(namesOf(await callPublic(db.app, slug, query))).to.include(name);
    }
  });

  it('a stale entry is refreshed once for both replicas while 200 requests get the stale copy', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('swr');
    await publish(db, viewId, { slug, auth: 'public', cacheTtlSeconds: 1, staleWhileRevalidateSeconds: 60 });
    await callPublic(db.app, slug);
    await sleep(1_100);
    const before = await runs(slug);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => callPublic(i % 2 ? other : db.app, slug)),
    );
    expect(answers.every((a) => a.status === 200)).to.equal(true);
    expect(answers.some((a) => a.headers.get('x-cache') === 'MISS')).to.equal(false);
    for (let i = 0; i < 50 && (await runs(slug)) === before; i++) await sleep(20);
    await sleep(100);
    expect((await runs(slug)) - before).to.equal(1);
  });

  it('with nothing cached, 200 requests across both replicas cause one source query', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('miss');
    await publish(db, viewId, { slug, auth: 'public' });
    // Resolve the API on both first, so what is counted is the page alone.
    for (const app of both()) await callPublic(app, slug, { query: { limit: '1' } });
    const before = await runs(slug);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => callPublic(i % 2 ? other : db.app, slug)),
    );
    expect(answers.every((a) => a.status === 200 && a.body.data.length === 3)).to.equal(true);
    expect((await runs(slug)) - before).to.equal(1);
  });
});
