import { expect } from 'chai';
import { startMiniDb, type MiniDb } from '../minidb/minidb-fixture.js';
import { callPublic, peopleView, publish, uniqueSlug } from './public-api-fixture.js';

const APP = 'https://app.example.com';

describe('public API CORS', () => {
  let db: MiniDb;
  let slug: string;
  let open: string;
  before(async () => {
    db = await startMiniDb('cors');
    slug = uniqueSlug('cors');
    await publish(db, (await peopleView(db)).viewId, { slug, auth: 'public', cors: { origins: [APP] } });
    open = uniqueSlug('cors-any');
    await publish(db, (await peopleView(db)).viewId, {
      slug: open,
      auth: 'apiKey',
      cors: { origins: ['*'] },
    });
  });
  after(() => db.stop());

  const preflight = (target: string, origin: string) =>
    fetch(`${db.app.url}/public/views/${target}/data`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-api-key',
      },
    });

  it('answers a preflight from an allowed origin with methods, headers and max age', async () => {
    const res = await preflight(slug, APP);
    expect(res.status).to.equal(204);
    expect(res.headers.get('access-control-allow-origin')).to.equal(APP);
    expect(res.headers.get('access-control-allow-methods')).to.equal('GET, HEAD, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).to.include('X-API-Key');
    expect(res.headers.get('access-control-allow-headers')).to.include('Authorization');
    expect(res.headers.get('access-control-max-age')).to.equal('600');
    expect(res.headers.get('vary')).to.include('Origin');
  });

  it('refuses a preflight and a request from any other origin (403 origin_not_allowed)', async () => {
    const res = await preflight(slug, 'https://evil.example.com');
    expect(res.status).to.equal(403);
    expect(res.headers.get('access-control-allow-origin')).to.equal(null);
    expect(((await res.json()) as { code: string }).code).to.equal('origin_not_allowed');
    const get = await callPublic(db.app, slug, { headers: { origin: 'https://evil.example.com' } });
    expect([get.status, get.body.code]).to.deep.equal([403, 'origin_not_allowed']);
    expect((await preflight('no-such-slug-here', APP)).status).to.equal(404);
  });

  it('a request from an allowed origin gets the origin back and the headers it may read', async () => {
    const res = await callPublic(db.app, slug, { headers: { origin: APP } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('access-control-allow-origin')).to.equal(APP);
    const exposed = res.headers.get('access-control-expose-headers') ?? '';
    for (const name of ['ETag', 'RateLimit-Remaining', 'Retry-After', 'Link'])
      expect(exposed).to.include(name);
    expect(res.headers.get('vary')).to.include('Origin');
  });

  it('callers without Origin (servers) are not CORS requests and pass', async () => {
    const res = await callPublic(db.app, slug);
    expect(res.status).to.equal(200);
    expect(res.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('* allows any origin, and errors carry the CORS headers so browsers can read them', async () => {
    const res = await callPublic(db.app, open, { headers: { origin: 'https://anyone.example' } });
    expect([res.status, res.body.code]).to.deep.equal([401, 'api_key_required']);
    expect(res.headers.get('access-control-allow-origin')).to.equal('*');
    expect((await preflight(open, 'https://anyone.example')).status).to.equal(204);
  });
});

describe('public API rate limits (one process, in-process token buckets)', () => {
  let db: MiniDb;
  before(async () => {
    // TRUST_PROXY: the client IP comes from X-Forwarded-For, so one test plays several clients.
    db = await startMiniDb('limits', { TRUST_PROXY: 'true' });
  });
  after(() => db.stop());

  const from = (ip: string, extra: Record<string, string> = {}) => ({
    headers: { 'x-forwarded-for': ip, ...extra },
  });

  it('per key: the key over its budget gets 429 with Retry-After and RateLimit-*; another key does not', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('per-key');
    const body = await publish(db, viewId, {
      slug,
      auth: 'apiKey',
      rateLimit: { requestsPerMinute: 3, requestsPerMinutePerIp: 1000 },
    });
    const other = (await db.as(db.owner).post(`/api/v1/views/${viewId}/api/keys`, {})).body.key as string;
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await callPublic(db.app, slug, from('10.0.0.1', { 'x-api-key': body.apiKey }));
      expect(res.status).to.equal(200);
      expect(res.headers.get('ratelimit-limit')).to.equal('3');
      seen.push(String(res.headers.get('ratelimit-remaining')));
    }
    expect(seen).to.deep.equal(['2', '1', '0']);
    const refused = await callPublic(db.app, slug, from('10.0.0.2', { 'x-api-key': body.apiKey }));
    expect([refused.status, refused.body.code]).to.deep.equal([429, 'rate_limited']);
    // A token bucket of 3 a minute: the next token in 20 s, the bucket full again in a minute.
    expect(refused.headers.get('retry-after')).to.equal('20');
    expect(refused.headers.get('ratelimit-remaining')).to.equal('0');
    expect(refused.headers.get('ratelimit-reset')).to.equal('60');
    expect((await callPublic(db.app, slug, from('10.0.0.1', { 'x-api-key': other }))).status).to.equal(200);
  });

  it('per IP: an address over its budget gets 429; another address does not', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('per-ip');
    await publish(db, viewId, {
      slug,
      auth: 'public',
      rateLimit: { requestsPerMinute: 1000, requestsPerMinutePerIp: 2 },
    });
    expect((await callPublic(db.app, slug, from('10.1.0.1'))).status).to.equal(200);
    const last = await callPublic(db.app, slug, from('10.1.0.1'));
    expect([last.status, last.headers.get('ratelimit-remaining')]).to.deep.equal([200, '0']);
    const refused = await callPublic(db.app, slug, from('10.1.0.1'));
    expect([refused.status, refused.body.code]).to.deep.equal([429, 'rate_limited']);
    expect(refused.headers.get('retry-after')).to.be.a('string');
    expect((await callPublic(db.app, slug, from('10.1.0.2'))).status).to.equal(200);
  });

  it('per IP counts failed key checks too, so keys cannot be guessed at leisure', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('guess');
    await publish(db, viewId, {
      slug,
      auth: 'apiKey',
      rateLimit: { requestsPerMinute: 100, requestsPerMinutePerIp: 2 },
    });
    for (let i = 0; i < 2; i++) {
      const res = await callPublic(
        db.app,
        slug,
        from('10.2.0.1', { 'x-api-key': `lt_aaaaaaaaaa_${'A'.repeat(43)}` }),
      );
      expect(res.status).to.equal(401);
      expect(res.headers.get('ratelimit-limit')).to.equal('2');
    }
    const refused = await callPublic(
      db.app,
      slug,
      from('10.2.0.1', { 'x-api-key': `lt_aaaaaaaaaa_${'B'.repeat(43)}` }),
    );
    expect(refused.status).to.equal(429);
  });

  it('the tighter of the two limits is the one the headers report', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('tight');
    const { apiKey } = await publish(db, viewId, {
      slug,
      auth: 'apiKey',
      rateLimit: { requestsPerMinute: 5, requestsPerMinutePerIp: 50 },
    });
    const res = await callPublic(db.app, slug, from('10.3.0.1', { 'x-api-key': apiKey }));
    expect([res.headers.get('ratelimit-limit'), res.headers.get('ratelimit-remaining')]).to.deep.equal([
      '5',
      '4',
    ]);
  });
});
