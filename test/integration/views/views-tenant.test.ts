import { expect } from 'chai';
import { startTestApp, type TestApp } from '../../support/test-app.js';

/** In tenant mode the workspace is implied: views and their data without X-Workspace-Id. */
describe('views in tenant mode (LT_WORKSPACE)', () => {
  let app: TestApp;
  let token: string;
  let workspaceId: string;

  before(async () => {
    app = await startTestApp({ LT_WORKSPACE: 'views-tenant', LT_OWNER_EMAIL: 'owner@views.test' });
    const registered = await app.request('POST', '/api/v1/auth/register', {
      body: { email: 'owner@views.test', password: 'correct horse battery staple', name: 'Owner' },
    });
    token = registered.body.accessToken;
    workspaceId = (await app.request('GET', '/api/v1/auth/me', { token })).body.workspaces[0].id;
  });
  after(() => app.stop());

  it('creates, lists and reads a view with the workspace implied; the public runner finds it', async () => {
    const base = await app.request('POST', `/api/v1/workspaces/${workspaceId}/bases`, {
      token,
      body: { name: 'B' },
    });
    const table = await app.request('POST', `/api/v1/bases/${base.body.id}/tables`, {
      token,
      body: { name: 'Items', columns: [{ name: 'Name', type: 'text' }] },
    });
    await app.request('POST', `/api/v1/tables/${table.body.id}/rows`, {
      token,
      body: { fields: { Name: 'one' } },
    });
    const view = await app.request('POST', '/api/v1/views', {
      token,
      body: { name: 'Items', source: { tableId: table.body.id } },
    });
    expect(view.status, JSON.stringify(view.body)).to.equal(201);
    expect(view.body.workspaceId).to.equal(workspaceId);
    const listed = await app.request('GET', '/api/v1/views', { token });
    expect(listed.body.data.map((v: { id: string }) => v.id)).to.deep.equal([view.body.id]);
    const data = await app.request('GET', `/api/v1/views/${view.body.id}/data`, { token });
    expect(data.body.data.map((r: { fields: unknown }) => r.fields)).to.deep.equal([{ Name: 'one' }]);
    const page = await app.dataplane.viewRunner.runPublic(workspaceId, view.body.id, { limit: 10 });
    expect(page.data.map((r) => r.fields)).to.deep.equal([{ Name: 'one' }]);
  });
});
