import { expect } from 'chai';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

interface AuditRow {
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
}

/** Session changes are mutations too: each writes its audit entry with the request that made it. */
describe('audit log of sessions', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  const entries = (requestId: string): Promise<AuditRow[]> =>
    app.dataplane.knex('audit_logs').where({ request_id: requestId });

  it('register and login each open a session and record session.create', async () => {
    const user = await registerUser(app, 'audited');
    const login = await app.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'x-request-id': 'audit-login-1', 'user-agent': 'audit-test' },
    });
    expect(login.status).to.equal(200);
    const rows = await entries('audit-login-1');
    expect(rows.map((r) => r.action)).to.deep.equal(['session.create']);
    expect(rows[0]).to.include({ actor_id: user.id, resource_type: 'session' });
    expect(rows[0]?.after).to.deep.include({ userAgent: 'audit-test' });
  });

  it('a failed login records nothing', async () => {
    const user = await registerUser(app, 'audited');
    const res = await app.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: 'wrong password here' },
      headers: { 'x-request-id': 'audit-login-fail' },
    });
    expect(res.status).to.equal(401);
    expect(await entries('audit-login-fail')).to.have.length(0);
  });

  it('logout and revoking a session record session.revoke with the reason', async () => {
    const user = await registerUser(app, 'audited');
    const second = await app.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
    });
    const revoke = await app.request(
      'DELETE',
      `/api/v1/auth/sessions/${await sessionIdOf(second.body.accessToken)}`,
      {
        token: user.accessToken,
        headers: { 'x-request-id': 'audit-revoke' },
      },
    );
    expect(revoke.status).to.equal(204);
    const logout = await app.request('POST', '/api/v1/auth/logout', {
      token: user.accessToken,
      headers: { 'x-request-id': 'audit-logout' },
    });
    expect(logout.status).to.equal(204);
    const [revoked] = await entries('audit-revoke');
    const [loggedOut] = await entries('audit-logout');
    expect(revoked).to.include({ action: 'session.revoke', actor_id: user.id });
    expect(revoked?.after).to.deep.equal({ reason: 'revoked_by_user' });
    expect(loggedOut).to.include({ action: 'session.revoke', actor_id: user.id });
    expect(loggedOut?.after).to.deep.equal({ reason: 'logout' });
  });

  it('refresh-token reuse records the revocation, attributed to the token owner', async () => {
    const user = await registerUser(app, 'audited');
    const rotated = await app.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(rotated.status).to.equal(200);
    const reuse = await app.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: user.refreshToken },
      headers: { 'x-request-id': 'audit-reuse' },
    });
    expect(reuse.status).to.equal(401);
    const rows = await entries('audit-reuse');
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ action: 'session.revoke', actor_id: user.id });
    expect(rows[0]?.after).to.deep.equal({ reason: 'refresh_token_reuse' });
  });

  async function sessionIdOf(accessToken: string): Promise<string> {
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()) as {
      sid: string;
    };
    return payload.sid;
  }
});
