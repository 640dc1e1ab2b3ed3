import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createHash, randomUUID } from 'node:crypto';
import { registerUser, startTestApp, type TestApp, type TestResponse } from '../../support/test-app.js';

/** Every failure is application/problem+json with the full RFC 9457 shape and a stable code. */
function expectProblem(res: TestResponse, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.body).to.include({ status, code });
  for (const key of ['type', 'title', 'detail']) expect(res.body[key]).to.be.a('string').with.length.above(0);
}

const sessionIdOf = (accessToken: string) => (jwt.decode(accessToken) as { sid: string }).sid;
const jtiOf = (accessToken: string) => (jwt.decode(accessToken) as { jti: string }).jti;

type User = Awaited<ReturnType<typeof registerUser>>;
interface Pair {
  accessToken: string;
  refreshToken: string;
}

describe('auth: refresh rotation, logout and sessions', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  const refresh = (refreshToken: string) =>
    app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
  const me = (token: string) => app.request('GET', '/api/v1/auth/me', { token });
  const login = async (user: User, userAgent = 'test-agent'): Promise<Pair> => {
    const res = await app.request('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: user.password },
      headers: { 'user-agent': userAgent },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const session = async (id: string) => app.dataplane.knex('sessions').where({ id }).first();

  describe('POST /api/v1/auth/refresh', () => {
    it('answers 200 with a new working pair in the same session', async () => {
      const user = await registerUser(app, 'rotate');
      const res = await refresh(user.refreshToken);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.have.all.keys('accessToken', 'refreshToken');
      expect(res.body.refreshToken).to.not.equal(user.refreshToken);
      expect(res.body.accessToken).to.not.equal(user.accessToken);
      expect(sessionIdOf(res.body.accessToken)).to.equal(sessionIdOf(user.accessToken));
      const check = await me(res.body.accessToken);
      expect(check.status).to.equal(200);
      expect(check.body.user.id).to.equal(user.id);
      // Rotation does not revoke the access token issued before it: it just expires.
      expect((await me(user.accessToken)).status).to.equal(200);
    });

    it('keeps rotating along a chain of refreshes', async () => {
      const user = await registerUser(app, 'chain');
      let current: Pair = user;
      for (let i = 0; i < 4; i++) {
        const res = await refresh(current.refreshToken);
        expect(res.status, `refresh #${i + 1}`).to.equal(200);
        current = res.body;
      }
      expect((await me(current.accessToken)).status).to.equal(200);
      const rows = await app.dataplane.knex('refresh_tokens').where({ user_id: user.id });
      expect(rows).to.have.length(5);
      expect(rows.filter((r) => r.used_at === null)).to.have.length(1);
    });

    it('stores refresh tokens only as their SHA-256', async () => {
      const user = await registerUser(app, 'hashed');
      const rows = await app.dataplane.knex('refresh_tokens').where({ user_id: user.id });
      expect(rows).to.have.length(1);
      expect(rows[0].token_hash).to.equal(createHash('sha256').update(user.refreshToken).digest('hex'));
      expect(JSON.stringify(rows)).to.not.include(user.refreshToken);
    });

    it('on reuse of a used token answers refresh_token_reused and revokes the whole family', async () => {
      const user = await registerUser(app, 'reuse');
      const other = await login(user);
      const first = await refresh(user.refreshToken);
      expect(first.status).to.equal(200);
      const second = await refresh(first.body.refreshToken);
      expect(second.status).to.equal(200);
      const newest: Pair = second.body;

      const replay = await refresh(user.refreshToken);
      expectProblem(replay, 401, 'refresh_token_reused');
      expectProblem(await refresh(newest.refreshToken), 401, 'invalid_refresh_token');
      expectProblem(await me(newest.accessToken), 401, 'token_revoked');
      expectProblem(await me(user.accessToken), 401, 'token_revoked');
      const row = await session(sessionIdOf(user.accessToken));
      expect(row.revoked_at).to.be.an.instanceOf(Date);
      expect(row.revoked_reason).to.equal('refresh_token_reuse');

      // The user's other session is another family and keeps working.
      expect((await me(other.accessToken)).status).to.equal(200);
      expect((await refresh(other.refreshToken)).status).to.equal(200);
    });

    it('lets only one of two concurrent uses of the same token succeed', async () => {
      const user = await registerUser(app, 'race');
      const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401]);
      const loser = results.find((r) => r.status === 401) as TestResponse;
      expectProblem(loser, 401, 'refresh_token_reused');
    });

    it('refuses an unknown token with 401 invalid_refresh_token', async () => {
      expectProblem(await refresh('x'.repeat(43)), 401, 'invalid_refresh_token');
    });

    it('refuses an expired refresh token', async () => {
      const user = await registerUser(app, 'expiredrt');
      await app.dataplane
        .knex('refresh_tokens')
        .where({ user_id: user.id })
        .update({ expires_at: new Date(Date.now() - 1000) });
      expectProblem(await refresh(user.refreshToken), 401, 'invalid_refresh_token');
    });

    it('extends the session expiry on every refresh (sessions end only when idle)', async () => {
      const user = await registerUser(app, 'sliding');
      const sid = sessionIdOf(user.accessToken);
      const soon = new Date(Date.now() + 3600_000);
      await app.dataplane.knex('sessions').where({ id: sid }).update({ expires_at: soon });
      const res = await refresh(user.refreshToken);
      expect(res.status).to.equal(200);
      const row = await session(sid);
      const newest = await app.dataplane
        .knex('refresh_tokens')
        .where({ session_id: sid, used_at: null })
        .first();
      expect(row.expires_at.getTime()).to.be.at.least(newest.expires_at.getTime());
      const listed = await app.request('GET', '/api/v1/auth/sessions', { token: res.body.accessToken });
      expect(listed.body.data.map((s: { id: string }) => s.id)).to.include(sid);
    });

    for (const [what, body] of [
      ['a missing refreshToken', {}],
      ['an empty refreshToken', { refreshToken: '' }],
      ['a number', { refreshToken: 12345 }],
      ['an extra field', { refreshToken: 'abc', userId: randomUUID() }],
    ] as const) {
      it(`answers 422 validation_failed for ${what}`, async () => {
        const res = await app.request('POST', '/api/v1/auth/refresh', { body });
        expectProblem(res, 422, 'validation_failed');
      });
    }
  });

  describe('POST /api/v1/auth/logout', () => {
    it("answers 204, then denies that access token and kills the session's refresh token", async () => {
      const user = await registerUser(app, 'logout');
      const res = await app.request('POST', '/api/v1/auth/logout', { token: user.accessToken });
      expect(res.status).to.equal(204);
      expect(res.body).to.equal('');
      expectProblem(await me(user.accessToken), 401, 'token_revoked');
      expectProblem(await refresh(user.refreshToken), 401, 'invalid_refresh_token');
      const second = await app.request('POST', '/api/v1/auth/logout', { token: user.accessToken });
      expectProblem(second, 401, 'token_revoked');
      const row = await session(sessionIdOf(user.accessToken));
      expect(row.revoked_reason).to.equal('logout');
      const denied = await app.dataplane.knex('denied_tokens').where({ key: jtiOf(user.accessToken) });
      expect(denied).to.have.length(1);
    });

    it('leaves the other sessions of the same user working', async () => {
      const user = await registerUser(app, 'twodevices');
      const laptop = await login(user, 'laptop');
      const res = await app.request('POST', '/api/v1/auth/logout', { token: user.accessToken });
      expect(res.status).to.equal(204);
      expect((await me(laptop.accessToken)).status).to.equal(200);
      const rotated = await refresh(laptop.refreshToken);
      expect(rotated.status).to.equal(200);
      expect((await me(rotated.body.accessToken)).status).to.equal(200);
    });

    it('also denies access tokens issued earlier in the same session', async () => {
      const user = await registerUser(app, 'earlier');
      const rotated = await refresh(user.refreshToken);
      expect(rotated.status).to.equal(200);
      await app.request('POST', '/api/v1/auth/logout', { token: rotated.body.accessToken });
      expectProblem(await me(user.accessToken), 401, 'token_revoked');
    });

    it('needs an access token', async () => {
      expectProblem(await app.request('POST', '/api/v1/auth/logout'), 401, 'unauthorized');
    });

    it('keeps a denied token denied after a restart (the deny list is reloaded from the database)', async () => {
      const user = await registerUser(app, 'restart');
      const survivor = await login(user);
      await app.request('POST', '/api/v1/auth/logout', { token: user.accessToken });
      const restarted = await startTestApp({ DATABASE_URL: app.databaseUrl });
      try {
        const denied = await restarted.request('GET', '/api/v1/auth/me', { token: user.accessToken });
        expectProblem(denied, 401, 'token_revoked');
        const ok = await restarted.request('GET', '/api/v1/auth/me', { token: survivor.accessToken });
        expect(ok.status).to.equal(200);
      } finally {
        await restarted.stop();
      }
    });
  });

  describe('GET and DELETE /api/v1/auth/sessions', () => {
    const listSessions = (token: string) => app.request('GET', '/api/v1/auth/sessions', { token });
    const revoke = (token: string, id: string) =>
      app.request('DELETE', `/api/v1/auth/sessions/${id}`, { token });

    it('lists the active sessions with exactly one marked current', async () => {
      const user = await registerUser(app, 'list');
      const phone = await login(user, 'Phone/1.0');
      const laptop = await login(user, 'Laptop/2.0');
      const stranger = await registerUser(app, 'notmine');
      const res = await listSessions(laptop.accessToken);
      expect(res.status).to.equal(200);
      expect(res.body.nextCursor).to.equal(null);
      expect(res.body.data).to.have.length(3);
      for (const s of res.body.data) {
        expect(s).to.have.all.keys(
          'id',
          'ip',
          'userAgent',
          'createdAt',
          'lastUsedAt',
          'expiresAt',
          'current',
        );
      }
      const ids = res.body.data.map((s: { id: string }) => s.id);
      expect(ids).to.have.members([user, phone, laptop].map((p) => sessionIdOf(p.accessToken)));
      expect(ids).to.not.include(sessionIdOf(stranger.accessToken));
      const current = res.body.data.filter((s: { current: boolean }) => s.current);
      expect(current).to.have.length(1);
      expect(current[0]).to.include({ id: sessionIdOf(laptop.accessToken), userAgent: 'Laptop/2.0' });
      expect(current[0].ip).to.be.a('string').that.includes('127.0.0.1');
      const fromPhone = await listSessions(phone.accessToken);
      const phoneCurrent = fromPhone.body.data.filter((s: { current: boolean }) => s.current);
      expect(phoneCurrent.map((s: { id: string }) => s.id)).to.deep.equal([sessionIdOf(phone.accessToken)]);
    });

    it('revokes another session: its access token gets 401 and its refresh token dies', async () => {
      const user = await registerUser(app, 'revoke');
      const other = await login(user, 'Old tablet');
      const otherId = sessionIdOf(other.accessToken);
      const res = await revoke(user.accessToken, otherId);
      expect(res.status).to.equal(204);
      expectProblem(await me(other.accessToken), 401, 'token_revoked');
      expectProblem(await refresh(other.refreshToken), 401, 'invalid_refresh_token');
      const listed = await listSessions(user.accessToken);
      expect(listed.body.data.map((s: { id: string }) => s.id)).to.deep.equal([
        sessionIdOf(user.accessToken),
      ]);
      expect((await me(user.accessToken)).status).to.equal(200);
      expect((await session(otherId)).revoked_reason).to.equal('revoked_by_user');
      expectProblem(await revoke(user.accessToken, otherId), 404, 'not_found');
    });

    it('can revoke the current session (signing this device out)', async () => {
      const user = await registerUser(app, 'self');
      const res = await revoke(user.accessToken, sessionIdOf(user.accessToken));
      expect(res.status).to.equal(204);
      expectProblem(await me(user.accessToken), 401, 'token_revoked');
    });

    it("answers 404 for an unknown session, a non-UUID and another user's session, and revokes nothing", async () => {
      const user = await registerUser(app, 'owner404');
      const victim = await registerUser(app, 'victim404');
      expectProblem(await revoke(user.accessToken, randomUUID()), 404, 'not_found');
      expectProblem(await revoke(user.accessToken, 'not-a-uuid'), 404, 'not_found');
      expectProblem(await revoke(user.accessToken, "1' OR '1'='1"), 404, 'not_found');
      const cross = await revoke(user.accessToken, sessionIdOf(victim.accessToken));
      expectProblem(cross, 404, 'not_found');
      expect((await me(victim.accessToken)).status).to.equal(200);
      expect((await refresh(victim.refreshToken)).status).to.equal(200);
      const revoked = await app.dataplane
        .knex('sessions')
        .whereIn('user_id', [user.id, victim.id])
        .whereNotNull('revoked_at');
      expect(revoked).to.have.length(0);
    });

    it('needs an access token', async () => {
      expectProblem(await app.request('GET', '/api/v1/auth/sessions'), 401, 'unauthorized');
      expectProblem(
        await app.request('DELETE', `/api/v1/auth/sessions/${randomUUID()}`),
        401,
        'unauthorized',
      );
    });
  });
});
