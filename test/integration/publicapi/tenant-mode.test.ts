import { expect } from 'chai';
import { startTestApp, type TestApp } from '../../support/test-app.js';
import { PEOPLE, PEOPLE_COLUMNS, VISIBLE, callPublic, uniqueSlug, viewOf } from './public-api-fixture.js';

/**
 * In tenant mode the slug directory lives in the tenant's schema beside its control tables: a
 * tenant's API is served by its own dataplane, and another tenant's dataplane on the same
 * database does not know the slug.
 */
describe('public APIs in tenant mode', () => {
  let acme: TestApp;
  let beta: TestApp;
  before(async () => {
    acme = await startTestApp({ LT_WORKSPACE: 'acme', LT_OWNER_EMAIL: 'owner@acme.test' });
    beta = await startTestApp({ LT_WORKSPACE: 'beta', DATABASE_URL: acme.databaseUrl });
  });
  after(async () => {
    await beta.stop();
    await acme.stop();
  });

  it("serves the tenant's API from its schema; the other tenant answers 404 for it", async () => {
    const registered = await acme.request('POST', '/api/v1/auth/register', {
      body: { email: 'owner@acme.test', password: 'correct horse battery staple', name: 'Owner' },
    });
    expect(registered.status).to.equal(201);
    const token = registered.body.accessToken as string;
    const me = await acme.request('GET', '/api/v1/auth/me', { token });
    const workspaceId = me.body.workspaces[0].id as string;
    const base = await acme.request('POST', `/api/v1/workspaces/${workspaceId}/bases`, {
      token,
      body: { name: 'B' },
    });
    const table = await acme.request('POST', `/api/v1/bases/${base.body.id}/tables`, {
      token,
      body: { name: 'People', columns: PEOPLE_COLUMNS },
    });
    expect(table.status, JSON.stringify(table.body)).to.equal(201);
    const bulk = await acme.request('POST', `/api/v1/tables/${table.body.id}/rows/bulk`, {
      token,
      body: { operation: 'create', rows: PEOPLE.map((fields) => ({ fields })) },
    });
    expect(bulk.status).to.equal(200);
    const view = await acme.request('POST', '/api/v1/views', {
      token,
      headers: { 'x-workspace-id': workspaceId },
      body: viewOf(table.body.id, VISIBLE),
    });
    expect(view.status, JSON.stringify(view.body)).to.equal(201);
    const viewId = view.body.id as string;
    const slug = uniqueSlug('tenant');
    const published = await acme.request('POST', `/api/v1/views/${viewId}/api`, {
      token,
      body: { slug, auth: 'public' },
    });
    expect(published.status, JSON.stringify(published.body)).to.equal(201);
    const slugs = await acme.dataplane.knex
      .withSchema('lt_ws_acme')
      .table('public_api_slugs')
      .where({ slug });
    expect(slugs).to.have.length(1);
    const res = await callPublic(acme, slug);
    expect(res.status).to.equal(200);
    expect(res.body.data).to.have.length(3);
    expect((await callPublic(beta, slug)).status).to.equal(404);
  });
});
