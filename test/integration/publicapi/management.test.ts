import { expect } from 'chai';
import type { DomainEvent } from '../../../dataplane/src/platform/event-bus.js';
import { registerUser } from '../../support/test-app.js';
import { startMiniDb, type MiniDb } from '../minidb/minidb-fixture.js';
import { callPublic, peopleView, publish, uniqueSlug } from './public-api-fixture.js';

/**
 * Publishing a view: the API's settings, the global slug directory (renames redirect, then
 * free the old slug), one API per view, audit entries in the change's transaction and events
 * after its commit.
 */
describe('publishing views as public APIs', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb('publisher');
  });
  after(() => db.stop());

  const apiOf = (viewId: string) => `/api/v1/views/${viewId}/api`;

  it('publishes with defaults and answers the URL of the endpoint', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('people');
    const body = await publish(db, viewId, { slug, auth: 'public' });
    expect(body).to.include({ viewId, slug, auth: 'public', enabled: true, cacheTtlSeconds: 60, version: 1 });
    expect(body.staleWhileRevalidateSeconds).to.equal(30);
    expect(body.rateLimit).to.deep.equal({ requestsPerMinute: 600, requestsPerMinutePerIp: 600 });
    expect(body.url).to.equal(`${db.app.url}/public/views/${slug}/data`);
    expect(body).to.not.have.property('apiKey');
    expect((await callPublic(db.app, slug)).status).to.equal(200);
    const read = await db.as(db.owner).get(apiOf(viewId));
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ id: body.id, slug, url: body.url });
  });

  it('keeps the settings it was given, origins lower-cased, per-IP limit defaulting to the per-key one', async () => {
    const { viewId } = await peopleView(db);
    const body = await publish(db, viewId, {
      slug: uniqueSlug('tuned'),
      auth: 'public',
      cacheTtlSeconds: 5,
      staleWhileRevalidateSeconds: 0,
      rateLimit: { requestsPerMinute: 42 },
      cors: { origins: ['https://App.Example.com', 'https://app.example.com'] },
    });
    expect(body).to.include({ cacheTtlSeconds: 5, staleWhileRevalidateSeconds: 0 });
    expect(body.rateLimit).to.deep.equal({ requestsPerMinute: 42, requestsPerMinutePerIp: 42 });
    expect(body.cors).to.deep.equal({ origins: ['https://app.example.com'] });
  });

  it('refuses a second API for one view (409 view_api_exists), a taken slug (409 slug_taken), bad input (422)', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('taken');
    await publish(db, viewId, { slug, auth: 'public' });
    const again = await db.as(db.owner).post(apiOf(viewId), { slug: uniqueSlug('again'), auth: 'public' });
    expect([again.status, again.body.code]).to.deep.equal([409, 'view_api_exists']);
    const other = await peopleView(db);
    const clash = await db.as(db.owner).post(apiOf(other.viewId), { slug, auth: 'public' });
    expect([clash.status, clash.body.code]).to.deep.equal([409, 'slug_taken']);
    for (const bad of [
      { slug: 'Upper-Case', auth: 'public' },
      { slug: 'x', auth: 'public' },
      { slug: uniqueSlug('ok'), auth: 'magic' },
      { slug: uniqueSlug('ok'), auth: 'public', cors: { origins: ['not an origin'] } },
      { slug: uniqueSlug('ok'), auth: 'public', cacheTtlSeconds: -1 },
      { slug: uniqueSlug('ok'), auth: 'public', extra: true },
    ]) {
      const res = await db.as(db.owner).post(apiOf(other.viewId), bad);
      expect([res.status, res.body.code], JSON.stringify(bad)).to.deep.equal([422, 'validation_failed']);
    }
  });

  it('answers 404 for a view that does not exist and for another workspace’s view', async () => {
    const missing = await db.as(db.owner).post(apiOf('01a21344-f60b-703b-a594-5c56f1e34ca3'), {
      slug: uniqueSlug('missing'),
      auth: 'public',
    });
    expect([missing.status, missing.body.code]).to.deep.equal([404, 'not_found']);
    const { viewId } = await peopleView(db);
    const stranger = await registerUser(db.app, 'stranger');
    for (const [method, path] of [
      ['GET', apiOf(viewId)],
      ['POST', apiOf(viewId)],
      ['GET', `${apiOf(viewId)}/keys`],
      ['GET', `${apiOf(viewId)}/analytics`],
    ] as const) {
      const res = await db.app.request(method, path, {
        token: stranger.accessToken,
        ...(method === 'POST' ? { body: { slug: uniqueSlug('stolen'), auth: 'public' } } : {}),
      });
      expect([res.status, res.body.code], `${method} ${path}`).to.deep.equal([404, 'not_found']);
    }
  });

  it('renames: the old slug answers 308 to the new one (query kept) and stays reserved until it expires', async () => {
    const { viewId } = await peopleView(db);
    const first = uniqueSlug('first');
    const second = uniqueSlug('second');
    await publish(db, viewId, { slug: first, auth: 'public' });
    const renamed = await db.as(db.owner).put(apiOf(viewId), { slug: second, auth: 'public' });
    expect(renamed.status, JSON.stringify(renamed.body)).to.equal(200);
    expect(renamed.body).to.include({ slug: second, version: 2 });
    expect(renamed.body.previousSlugs.map((p: { slug: string }) => p.slug)).to.deep.equal([first]);
    const until = Date.parse(renamed.body.previousSlugs[0].redirectUntil);
    expect(until - Date.now()).to.be.within(29.9 * 86_400_000, 30 * 86_400_000);

    const res = await fetch(`${db.app.url}/public/views/${first}/data?limit=2&sort=Name`, {
      redirect: 'manual',
    });
    expect(res.status).to.equal(308);
    expect(res.headers.get('location')).to.equal(`/public/views/${second}/data?limit=2&sort=Name`);
    const followed = await fetch(`${db.app.url}/public/views/${first}/data?limit=2&sort=Name`);
    expect(followed.status).to.equal(200);
    expect(((await followed.json()) as { data: unknown[] }).data).to.have.length(2);

    const other = await peopleView(db);
    const grab = await db.as(db.owner).post(apiOf(other.viewId), { slug: first, auth: 'public' });
    expect([grab.status, grab.body.code]).to.deep.equal([409, 'slug_taken']);

    // Thirty days later: the old slug answers 404 and anyone may take it.
    await db.app.dataplane
      .knex('public_api_slugs')
      .where({ slug: first })
      .update({ redirect_until: new Date(Date.now() - 1000) });
    const restarted = await db
      .as(db.owner)
      .put(apiOf(viewId), { slug: second, auth: 'public', enabled: false });
    expect(restarted.status).to.equal(200); // any change forgets the cached redirect
    expect((await callPublic(db.app, first)).status).to.equal(404);
    const taken = await db.as(db.owner).post(apiOf(other.viewId), { slug: first, auth: 'public' });
    expect(taken.status, JSON.stringify(taken.body)).to.equal(201);
    expect((await callPublic(db.app, first)).status).to.equal(200);
  });

  it('takes back one of its own old slugs', async () => {
    const { viewId } = await peopleView(db);
    const a = uniqueSlug('a');
    const b = uniqueSlug('b');
    await publish(db, viewId, { slug: a, auth: 'public' });
    expect((await db.as(db.owner).put(apiOf(viewId), { slug: b, auth: 'public' })).status).to.equal(200);
    const back = await db.as(db.owner).put(apiOf(viewId), { slug: a, auth: 'public' });
    expect(back.status, JSON.stringify(back.body)).to.equal(200);
    expect(back.body.previousSlugs.map((p: { slug: string }) => p.slug)).to.deep.equal([b]);
    expect((await callPublic(db.app, a)).status).to.equal(200);
    const res = await fetch(`${db.app.url}/public/views/${b}/data`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).to.deep.equal([308, `/public/views/${a}/data`]);
  });

  it('a disabled API answers 404 at once, and again 200 once enabled', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('toggle');
    await publish(db, viewId, { slug, auth: 'public' });
    expect((await callPublic(db.app, slug)).status).to.equal(200);
    expect(
      (await db.as(db.owner).put(apiOf(viewId), { slug, auth: 'public', enabled: false })).status,
    ).to.equal(200);
    const off = await callPublic(db.app, slug);
    expect([off.status, off.body.code]).to.deep.equal([404, 'not_found']);
    expect(off.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(
      (await db.as(db.owner).put(apiOf(viewId), { slug, auth: 'public', enabled: true })).status,
    ).to.equal(200);
    expect((await callPublic(db.app, slug)).status).to.equal(200);
  });

  it('deleting withdraws the API: its slugs answer 404 at once, its keys go, the view can be published again', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('gone');
    const renamedTo = uniqueSlug('gone-renamed');
    const body = await publish(db, viewId, { slug, auth: 'apiKey' });
    await db.as(db.owner).put(apiOf(viewId), { slug: renamedTo, auth: 'apiKey' });
    const key = { 'x-api-key': body.apiKey };
    expect((await callPublic(db.app, renamedTo, { headers: key })).status).to.equal(200);
    expect((await db.as(db.owner).delete(apiOf(viewId))).status).to.equal(204);
    expect((await callPublic(db.app, renamedTo, { headers: key })).status).to.equal(404);
    expect((await callPublic(db.app, slug, { headers: key })).status).to.equal(404);
    expect((await db.as(db.owner).get(apiOf(viewId))).status).to.equal(404);
    expect(
      await db.app.dataplane.knex.withSchema(db.schema).table('api_keys').where({ view_api_id: body.id }),
    ).to.deep.equal([]);
    expect(await db.app.dataplane.knex('public_api_slugs').where({ view_api_id: body.id })).to.deep.equal([]);
    expect((await db.as(db.owner).post(apiOf(viewId), { slug, auth: 'public' })).status).to.equal(201);
  });

  it('audits every change in its transaction and publishes its events after the commit', async () => {
    const { viewId } = await peopleView(db);
    const events: DomainEvent[] = [];
    const unsubscribe = db.app.dataplane.bus.subscribe((event) => {
      if (event.type.startsWith('view_api.') || event.type.startsWith('api_key.')) events.push(event);
    });
    try {
      const slug = uniqueSlug('audited');
      const body = await publish(db, viewId, { slug, auth: 'apiKey' });
      await db.as(db.owner).put(apiOf(viewId), { slug: uniqueSlug('audited-2'), auth: 'apiKey' });
      const key = await db.as(db.owner).post(`${apiOf(viewId)}/keys`, { name: 'second' });
      await db.as(db.owner).delete(`${apiOf(viewId)}/keys/${key.body.id}`);
      await db.as(db.owner).delete(apiOf(viewId));
      const entries = await db.app.dataplane.knex
        .withSchema(db.schema)
        .table('audit_logs')
        .whereIn('resource_id', [body.id, body.apiKeyId, key.body.id])
        .orderBy('created_at')
        .orderBy('id')
        .select('action', 'actor_id', 'parent_id', 'after');
      expect(entries.map((e) => e.action)).to.deep.equal([
        'view_api.create',
        'api_key.create',
        'view_api.update',
        'api_key.create',
        'api_key.revoke',
        'view_api.delete',
      ]);
      expect(entries.every((e) => e.actor_id === db.owner.id)).to.equal(true);
      expect(JSON.stringify(entries)).to.not.include(body.apiKey.split('_').slice(2).join('_'));
      expect(events.map((e) => e.type)).to.deep.equal([
        'view_api.created',
        'api_key.created',
        'view_api.updated',
        'api_key.created',
        'api_key.revoked',
        'view_api.deleted',
      ]);
    } finally {
      unsubscribe();
    }
  });

  it('a refused change writes nothing: a slug clash leaves no API, key or slug behind', async () => {
    const { viewId } = await peopleView(db);
    const slug = uniqueSlug('clash');
    await publish(db, (await peopleView(db)).viewId, { slug, auth: 'public' });
    const before = await db.app.dataplane.knex
      .withSchema(db.schema)
      .table('view_apis')
      .count<{ count: string }[]>();
    const clash = await db.as(db.owner).post(apiOf(viewId), { slug, auth: 'apiKey' });
    expect(clash.status).to.equal(409);
    const after = await db.app.dataplane.knex
      .withSchema(db.schema)
      .table('view_apis')
      .count<{ count: string }[]>();
    expect(after).to.deep.equal(before);
    expect((await db.as(db.owner).get(apiOf(viewId))).status).to.equal(404);
  });
});
