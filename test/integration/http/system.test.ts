import { expect } from 'chai';
import { startTestApp, type TestApp } from '../../support/test-app.js';

describe('system endpoints', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  it('GET /healthz answers ok', async () => {
    const res = await app.request('GET', '/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('GET /readyz reports PostgreSQL reachable', async () => {
    const res = await app.request('GET', '/readyz');
    expect(res.status).to.equal(200);
    expect(res.body.checks).to.deep.equal({ postgres: 'ok' });
  });

  it('GET /metrics exposes the HTTP histogram by route and status, pool gauges and process metrics', async () => {
    await app.request('GET', '/healthz');
    const res = await app.request('GET', '/metrics');
    expect(res.status).to.equal(200);
    expect(res.body).to.match(
      /http_request_duration_seconds_bucket\{[^}]*route="\/healthz"[^}]*status="200"/,
    );
    expect(res.body).to.match(/db_pool_connections_max\{pool="control"\} 10/);
    expect(res.body).to.include('process_cpu_user_seconds_total');
  });

  it('echoes a sane X-Request-Id and generates one otherwise', async () => {
    const given = await app.request('GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).to.equal('abc-123');
    const generated = await app.request('GET', '/healthz', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('unknown routes answer 404 problem+json', async () => {
    const res = await app.request('GET', '/api/v1/nope');
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.include('application/problem+json');
    expect(res.body).to.include({ status: 404, code: 'not_found' });
  });

  it('GET /api/v1/openapi.json is OpenAPI 3.1 covering every route', async () => {
    const res = await app.request('GET', '/api/v1/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/auth/me',
      '/api/v1/auth/sessions/{sessionId}',
      '/api/v1/workspaces/{workspaceId}/invite',
      '/api/v1/invitations/{token}/accept',
    ]) {
      expect(paths).to.include(p);
    }
    expect(
      res.body.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema.required,
    ).to.include.members(['email', 'password', 'name']);
    expect(res.body.paths['/api/v1/workspaces/{workspaceId}'].delete['x-permission']).to.equal(
      'workspace:delete',
    );
  });
});

describe('methods the API does not serve', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  it('a known path with the wrong method answers 405 problem+json with an Allow header', async () => {
    const res = await app.request('DELETE', '/api/v1/auth/me');
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')).to.include('GET');
    expect(res.headers.get('content-type')).to.include('application/problem+json');
    expect(res.body).to.include({ status: 405, code: 'method_not_allowed' });
  });

  it('an unknown method answers 501 problem+json, never 500', async () => {
    const res = await app.request('PURGE', '/api/v1/auth/me');
    expect(res.status).to.equal(501);
    expect(res.body).to.include({ status: 501, code: 'not_implemented' });
  });
});
