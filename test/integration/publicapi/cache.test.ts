import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { startMiniDb, type MiniDb } from '../minidb/minidb-fixture.js';
import {
  callPublic,
  namesOf,
  peopleView,
  publish,
  showColumns,
  uniqueSlug,
  viewQueries,
} from './public-api-fixture.js';

/**
 * The response cache of one process (no Redis: in-process cache and lock): hits, the data
 * version that makes the next request after a commit see it, stale-while-revalidate with a
 * single refresh, one load for concurrent misses, warming, statistics.
 */
async function publishPeople(db: MiniDb, settings: Record<string, unknown>) {
  const { table, viewId } = await peopleView(db);
  const slug = uniqueSlug('cached');
  await publish(db, viewId, { slug, auth: 'public', ...settings });
  return { slug, table, viewId };
}

describe('public API response cache', () => {
  let db: MiniDb;
  before(async () => {
    // No warming here: every source query a test counts is one that requests caused.
    db = await startMiniDb('cache', { LT_PUBLIC_API_WARM_TOP: '0' });
  });
  after(() => db.stop());

  const runs = (slug: string) => viewQueries(db.app, slug);
  const published = (settings: Record<string, unknown>) => publishPeople(db, settings);

  it('answers the same query from the cache, and another query with its own load', async () => {
    const { slug } = await published({});
    const before = await runs(slug);
    const first = await callPublic(db.app, slug, { query: { sort: 'Name' } });
    expect(first.headers.get('x-cache')).to.equal('MISS');
    const second = await callPublic(db.app, slug, { query: { sort: 'Name' } });
    expect(second.headers.get('x-cache')).to.equal('HIT');
    expect(second.body).to.deep.equal(first.body);
    expect(second.headers.get('etag')).to.equal(first.headers.get('etag'));
    expect((await runs(slug)) - before).to.equal(1);
    // The same query written differently is the same entry: filters are normalized.
    const a = { sort: 'Name', filter: JSON.stringify({ field: 'Age', op: 'gt', value: 1 }) };
    const b = { filter: JSON.stringify({ value: 1, op: 'gt', field: 'Age' }), sort: ' Name ' };
    expect((await callPublic(db.app, slug, { query: a })).headers.get('x-cache')).to.equal('MISS');
    expect((await callPublic(db.app, slug, { query: b })).headers.get('x-cache')).to.equal('HIT');
    expect((await runs(slug)) - before).to.equal(2);
  });

  it('the next request after a committed change sees it (a new data version), then hits again', async () => {
    const { slug, table } = await published({ cacheTtlSeconds: 3600 });
    expect(namesOf(await callPublic(db.app, slug, { query: { sort: 'Name' } }))).to.deep.equal([
      'Ada',
      'Grace',
      'Linus',
    ]);
    expect((await callPublic(db.app, slug, { query: { sort: 'Name' } })).headers.get('x-cache')).to.equal(
      'HIT',
    );
    const created = await db
      .as(db.owner)
      .post(`/api/v1/tables/${table.id}/rows`, { fields: { Name: 'Barbara' } });
    expect(created.status).to.equal(201);
    const after = await callPublic(db.app, slug, { query: { sort: 'Name' } });
    expect(after.headers.get('x-cache')).to.equal('MISS');
    expect(namesOf(after)).to.deep.equal(['Ada', 'Barbara', 'Grace', 'Linus']);
    const row = created.body;
    expect((await db.as(db.owner).delete(`/api/v1/tables/${table.id}/rows/${row.id}`)).status).to.equal(204);
    expect(namesOf(await callPublic(db.app, slug, { query: { sort: 'Name' } }))).to.deep.equal([
      'Ada',
      'Grace',
      'Linus',
    ]);
    expect((await callPublic(db.app, slug, { query: { sort: 'Name' } })).headers.get('x-cache')).to.equal(
      'HIT',
    );
  });

  it('a change of the view or of the API settings is a new entry too', async () => {
    const { slug, viewId } = await published({});
    await callPublic(db.app, slug);
    await showColumns(db, viewId, ['Name', 'Age']);
    const narrowed = await callPublic(db.app, slug);
    expect(narrowed.headers.get('x-cache')).to.equal('MISS');
    expect(Object.keys(narrowed.body.data[0].fields)).to.deep.equal(['Name', 'Age']);
    const put = await db
      .as(db.owner)
      .put(`/api/v1/views/${viewId}/api`, { slug, auth: 'public', cacheTtlSeconds: 120 });
    expect(put.status).to.equal(200);
    expect((await callPublic(db.app, slug)).headers.get('x-cache')).to.equal('MISS');
  });

  it('a stale entry is served to everyone while exactly one request refreshes it (200 at once)', async () => {
    const { slug } = await published({ cacheTtlSeconds: 1, staleWhileRevalidateSeconds: 60 });
    await callPublic(db.app, slug);
    await sleep(1_100);
    const before = await runs(slug);
    const answers = await Promise.all(Array.from({ length: 200 }, () => callPublic(db.app, slug)));
    expect(answers.map((a) => a.status)).to.deep.equal(answers.map(() => 200));
    const outcomes = new Set(answers.map((a) => a.headers.get('x-cache')));
    expect(outcomes.has('STALE')).to.equal(true);
    expect(outcomes.has('MISS')).to.equal(false);
    // The refresh has run (and stored) by the time its followers are answered… or soon after.
    for (let i = 0; i < 50 && (await runs(slug)) === before; i++) await sleep(20);
    expect((await runs(slug)) - before).to.equal(1);
    await sleep(100);
    expect((await runs(slug)) - before).to.equal(1);
    expect((await callPublic(db.app, slug)).headers.get('x-cache')).to.equal('HIT');
  });

  it('with nothing cached, 200 concurrent requests wait for the one load in flight', async () => {
    const { slug } = await published({});
    const before = await runs(slug);
    const answers = await Promise.all(Array.from({ length: 200 }, () => callPublic(db.app, slug)));
    expect(answers.every((a) => a.status === 200 && a.body.data.length === 3)).to.equal(true);
    expect((await runs(slug)) - before).to.equal(1);
  });

  it('an expired entry without a stale window is a miss (one load for concurrent callers)', async () => {
    const { slug } = await published({ cacheTtlSeconds: 1, staleWhileRevalidateSeconds: 0 });
    await callPublic(db.app, slug);
    await sleep(1_100);
    const before = await runs(slug);
    const answers = await Promise.all(Array.from({ length: 50 }, () => callPublic(db.app, slug)));
    // Nobody is served the expired copy: callers wait for the load (MISS), or arrive after it (HIT).
    const outcomes = answers.map((a) => a.headers.get('x-cache'));
    expect(outcomes[0]).to.equal('MISS');
    expect(outcomes.filter((o) => o !== 'MISS' && o !== 'HIT')).to.deep.equal([]);
    expect((await runs(slug)) - before).to.equal(1);
  });

  it('cacheTtlSeconds 0 caches nothing: every request reads the view', async () => {
    const { slug } = await published({ cacheTtlSeconds: 0 });
    const before = await runs(slug);
    for (let i = 0; i < 3; i++)
      expect((await callPublic(db.app, slug)).headers.get('x-cache')).to.equal('UNCACHED');
    expect((await runs(slug)) - before).to.equal(3);
  });

  it('exports hits, misses and stale answers as metrics', async () => {
    const { slug } = await published({ cacheTtlSeconds: 1, staleWhileRevalidateSeconds: 60 });
    expect((await callPublic(db.app, slug)).headers.get('x-cache')).to.equal('MISS');
    await sleep(1_100);
    expect((await callPublic(db.app, slug)).headers.get('x-cache')).to.equal('STALE');
    await sleep(50); // the refresh the stale answer started
    expect((await callPublic(db.app, slug)).headers.get('x-cache')).to.equal('HIT');
    const metrics = String((await db.app.request('GET', '/metrics')).body);
    for (const result of ['hit', 'miss', 'stale'])
      expect(metrics).to.include(`lt_public_api_cache_total{api="${slug}",result="${result}"} 1`);
    expect(metrics).to.include(`lt_public_api_requests_total{api="${slug}",status="200"} 3`);
    expect(metrics).to.include(`lt_public_api_duration_seconds_count{api="${slug}"} 3`);
  });
});

describe('public API cache warming', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb('warm');
  });
  after(() => db.stop());

  const runs = (slug: string) => viewQueries(db.app, slug);
  const published = (settings: Record<string, unknown>) => publishPeople(db, settings);

  it('keeps the most used queries warm: refreshed in the background before they expire', async () => {
    const { slug } = await published({ cacheTtlSeconds: 2, staleWhileRevalidateSeconds: 0 });
    for (let i = 0; i < 6; i++) await callPublic(db.app, slug);
    const before = await runs(slug);
    await sleep(2_500);
    expect((await runs(slug)) - before, 'refreshed without any request').to.be.greaterThan(0);
    // Without warming, the copy would have expired 0.5 s ago (no stale window): a miss.
    expect((await callPublic(db.app, slug)).headers.get('x-cache')).to.equal('HIT');
  });
});
