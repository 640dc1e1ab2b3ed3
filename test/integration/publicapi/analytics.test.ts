import { expect } from 'chai';
import { startTestApp } from '../../support/test-app.js';
import { startMiniDb, type MiniDb } from '../minidb/minidb-fixture.js';
import { callPublic, peopleView, publish, uniqueSlug } from './public-api-fixture.js';

interface Day {
  day: string;
  keyId: string | null;
  keyPrefix: string | null;
  requests: number;
  errors: number;
  latency: { counts: number[]; sumMs: number };
  cache: { hits: number; misses: number; stale: number };
}

const today = () => new Date().toISOString().slice(0, 10);

/** Usage per key and day: counted in process, added to PostgreSQL, read through the endpoint. */
describe('public API analytics', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb('analytics', { LT_PUBLIC_API_WARM_TOP: '0' });
  });
  after(() => db.stop());

  const analyticsOf = async (viewId: string, query = '') => {
    const res = await db.as(db.owner).get(`/api/v1/views/${viewId}/api/analytics${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as {
      data: Day[];
      latencyBucketsMs: number[];
      totals: Record<string, unknown>;
      from: string;
      to: string;
    };
  };

  it('counts requests, errors, latency and cache outcomes per key and day', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('counted');
    const { apiKey, apiKeyId } = await publish(db, viewId, { slug, auth: 'apiKey' });
    const second = (await db.as(db.owner).post(`/api/v1/views/${viewId}/api/keys`, { name: 'second' })).body;
    const as = (key: string, query: Record<string, string> = {}) =>
      callPublic(db.app, slug, { headers: { 'x-api-key': key }, query });
    expect((await as(apiKey)).status).to.equal(200); // miss
    expect((await as(apiKey)).status).to.equal(200); // hit
    expect((await as(apiKey)).status).to.equal(200); // hit
    expect((await as(apiKey, { sort: 'Nope' })).status).to.equal(422); // an error, no cache lookup
    expect((await as(second.key)).status).to.equal(200); // hit: keys share the cached page
    expect((await as(second.key, { limit: '1' })).status).to.equal(200); // miss
    expect((await callPublic(db.app, slug)).status).to.equal(401); // anonymous
    expect((await as(`lt_zzzzzzzzzz_${'A'.repeat(43)}`)).status).to.equal(401); // anonymous

    const body = await analyticsOf(viewId);
    expect(body.from <= today() && body.to === today()).to.equal(true);
    expect(body.latencyBucketsMs).to.deep.equal([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]);
    const byKey = new Map(body.data.map((d) => [d.keyId, d]));
    expect(body.data.every((d) => d.day === today())).to.equal(true);
    const first = byKey.get(apiKeyId) as Day;
    expect(first).to.include({ requests: 4, errors: 1, keyPrefix: apiKey.slice(3, 13) });
    expect(first.cache).to.deep.equal({ hits: 2, misses: 1, stale: 0 });
    expect(byKey.get(second.id)).to.deep.include({
      requests: 2,
      errors: 0,
      cache: { hits: 1, misses: 1, stale: 0 },
    });
    expect(byKey.get(null)).to.deep.include({ requests: 2, errors: 2, keyPrefix: null });
    for (const day of body.data) {
      expect(day.latency.counts).to.have.length(11);
      expect(day.latency.counts.reduce((a, b) => a + b, 0)).to.equal(day.requests);
      expect(day.latency.sumMs).to.be.greaterThan(0);
    }
    expect(body.totals).to.deep.equal({
      requests: 8,
      errors: 3,
      cache: { hits: 3, misses: 2, stale: 0 },
      hitRatio: 3 / 5,
    });
  });

  it('adds what several replicas counted, and keeps what a stopped replica counted', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('replicated');
    await publish(db, viewId, { slug, auth: 'public' });
    const replica = await startTestApp({ DATABASE_URL: db.app.databaseUrl, LT_PUBLIC_API_WARM_TOP: '0' });
    for (let i = 0; i < 3; i++) expect((await callPublic(replica, slug)).status).to.equal(200);
    await replica.stop(); // flushes at shutdown; the database is the shared one, it stays
    for (let i = 0; i < 2; i++) expect((await callPublic(db.app, slug)).status).to.equal(200);
    const [day] = (await analyticsOf(viewId)).data;
    expect(day).to.deep.include({ keyId: null, requests: 5, errors: 0 });
    expect(day?.cache).to.deep.equal({ hits: 3, misses: 2, stale: 0 }); // one miss per replica (no Redis)
    const rows = await db.app.dataplane.knex.withSchema(db.schema).table('view_api_usage').select('requests');
    expect(rows.length).to.be.greaterThan(0);
  });

  it('reads a range of days and refuses a reversed or too long one', async () => {
    const { viewId } = await peopleView(db);
    await publish(db, viewId, { slug: uniqueSlug('range'), auth: 'public' });
    const empty = await analyticsOf(viewId, '?from=2020-01-01&to=2020-01-31');
    expect(empty).to.deep.include({ from: '2020-01-01', to: '2020-01-31', data: [] });
    expect(empty.totals).to.deep.include({ requests: 0, hitRatio: null });
    for (const query of [
      '?from=2020-02-01&to=2020-01-01',
      '?from=2020-01-01&to=2022-01-01',
      '?from=yesterday',
    ]) {
      const res = await db.as(db.owner).get(`/api/v1/views/${viewId}/api/analytics${query}`);
      expect([res.status, res.body.code], query).to.deep.equal([422, 'validation_failed']);
    }
  });
});
