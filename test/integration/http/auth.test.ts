import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { registerUser, startTestApp, type TestApp, type TestResponse } from '../../support/test-app.js';

const JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
const PASSWORD = 'correct horse battery staple';

/** Every failure is application/problem+json with the full RFC 9457 shape and a stable code. */
function expectProblem(res: TestResponse, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.body).to.include({ status, code });
  for (const key of ['type', 'title', 'detail']) expect(res.body[key]).to.be.a('string').with.length.above(0);
}

let emailCounter = 0;
const uniqueEmail = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${emailCounter++}@example.test`;

/** Decoded claims of an access token, without verification (the server verifies). */
const claimsOf = (token: string) => jwt.decode(token) as { sub: string; sid: string; jti: string };

describe('auth: register, login, me and access tokens', () => {
  let app: TestApp;
  const countUsers = async () => Number((await app.dataplane.knex('users').count({ n: '*' }))[0]?.n);
  const usersWithEmail = (email: string) => app.dataplane.knex('users').where({ email: email.toLowerCase() });

  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  describe('POST /api/v1/auth/register', () => {
    it('answers 201 {user, accessToken, refreshToken}, lower-cases the email and stores a bcrypt hash', async () => {
      const email = uniqueEmail('Mixed.Case').replace('example.test', 'Example.TEST');
      const res = await app.request('POST', '/api/v1/auth/register', {
        body: { email, password: PASSWORD, name: '  Ada Lovelace ' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body).to.have.all.keys('user', 'accessToken', 'refreshToken');
      expect(res.body.user).to.have.all.keys('id', 'email', 'name', 'createdAt');
      expect(res.body.user.email).to.equal(email.toLowerCase());
      expect(res.body.user.name).to.equal('Ada Lovelace');
      expect(res.body.user.id).to.match(/^[0-9a-f-]{36}$/);
      expect(new Date(res.body.user.createdAt).toString()).to.not.equal('Invalid Date');
      expect(res.body.accessToken).to.be.a('string').and.not.equal(res.body.refreshToken);
      expect(res.body.refreshToken).to.be.a('string').with.length.above(30);

      const rows = await usersWithEmail(email);
      expect(rows).to.have.length(1);
      expect(rows[0].password_hash).to.match(/^\$2[aby]\$/);
      expect(rows[0].password_hash).to.not.include(PASSWORD);
      const audit = await app.dataplane.knex('audit_logs').where({ resource_id: res.body.user.id });
      expect(audit.map((a) => a.action)).to.deep.equal(['user.register']);

      const me = await app.request('GET', '/api/v1/auth/me', { token: res.body.accessToken });
      expect(me.status).to.equal(200);
      expect(me.body.user).to.deep.equal(res.body.user);
    });

    it('refuses a second account for the same email, in any case, with 409 email_taken', async () => {
      const email = uniqueEmail('dup');
      const first = await app.request('POST', '/api/v1/auth/register', {
        body: { email, password: PASSWORD, name: 'First' },
      });
      expect(first.status).to.equal(201);
      const usersBefore = await countUsers();
      const again = await app.request('POST', '/api/v1/auth/register', {
        body: { email: email.toUpperCase(), password: 'another good passphrase', name: 'Second' },
      });
      expectProblem(again, 409, 'email_taken');
      expect(await countUsers()).to.equal(usersBefore);
      const [row] = await usersWithEmail(email);
      expect(row.name).to.equal('First');
    });

    const weakPasswords: [string, (email: string) => string][] = [
      ['too short', () => 'short1!'],
      ['too common', () => 'Password123'],
      ['with too few different characters', () => 'aaaaabbbbbaaaaa'],
      ['longer than 72 bytes', () => 'é'.repeat(40)],
      ['containing the email address', (email) => `My-${email.split('@')[0]?.toUpperCase()}-pass`],
    ];
    for (const [why, passwordFor] of weakPasswords) {
      it(`refuses a password ${why} with 422 validation_failed naming password, and creates nothing`, async () => {
        const email = uniqueEmail('policy');
        const password = passwordFor(email);
        const usersBefore = await countUsers();
        const res = await app.request('POST', '/api/v1/auth/register', {
          body: { email, password, name: 'Weak' },
        });
        expectProblem(res, 422, 'validation_failed');
        expect(res.body.detail).to.include('password');
        expect(res.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['/password']);
        expect(await usersWithEmail(email)).to.have.length(0);
        expect(await countUsers()).to.equal(usersBefore);
      });
    }

    it('lets exactly one of three simultaneous registrations of one email through', async () => {
      const email = uniqueEmail('race');
      const attempts = await Promise.all(
        ['One', 'Two', 'Three'].map((name) =>
          app.request('POST', '/api/v1/auth/register', { body: { email, password: PASSWORD, name } }),
        ),
      );
      const statuses = attempts.map((r) => r.status).sort();
      expect(statuses).to.deep.equal([201, 409, 409]);
      for (const loser of attempts.filter((r) => r.status === 409)) expectProblem(loser, 409, 'email_taken');
      expect(await usersWithEmail(email)).to.have.length(1);
    });

    const badBodies: [string, unknown, string[]][] = [
      ['an empty body', {}, ['/email', '/password', '/name']],
      ['a missing name', { email: 'nn@example.test', password: PASSWORD }, ['/name']],
      ['a number as email', { email: 42, password: PASSWORD, name: 'N' }, ['/email']],
      ['an array as password', { email: 'arr@example.test', password: [PASSWORD], name: 'N' }, ['/password']],
      [
        'an object as name',
        { email: 'obj@example.test', password: PASSWORD, name: { first: 'N' } },
        ['/name'],
      ],
      ['an invalid email', { email: 'not-an-email', password: PASSWORD, name: 'N' }, ['/email']],
      ['a blank name', { email: 'blank@example.test', password: PASSWORD, name: '   ' }, ['/name']],
      [
        'a name over 100 characters',
        { email: 'long@example.test', password: PASSWORD, name: 'n'.repeat(101) },
        ['/name'],
      ],
      [
        'an extra field',
        { email: 'extra@example.test', password: PASSWORD, name: 'N', role: 'admin' },
        ['/role'],
      ],
      ['a JSON array', [{ email: 'a@example.test' }], ['/']],
      ['null fields', { email: null, password: null, name: null }, ['/email', '/password', '/name']],
    ];
    for (const [what, body, paths] of badBodies) {
      it(`answers 422 validation_failed for ${what} and creates nothing`, async () => {
        const usersBefore = await countUsers();
        const res = await app.request('POST', '/api/v1/auth/register', { body });
        expectProblem(res, 422, 'validation_failed');
        const reported = res.body.errors.map((e: { path: string }) => e.path);
        expect(reported).to.include.members(paths);
        expect(await countUsers()).to.equal(usersBefore);
      });
    }

    it('answers 400 problem+json for a body that is not JSON', async () => {
      const usersBefore = await countUsers();
      const res = await app.request('POST', '/api/v1/auth/register', {
        rawBody: '{"email": "x@example.test",',
      });
      expectProblem(res, 400, 'bad_request');
      expect(await countUsers()).to.equal(usersBefore);
    });

    it('answers 413 problem+json for a body over BODY_LIMIT_BYTES', async () => {
      const usersBefore = await countUsers();
      const res = await app.request('POST', '/api/v1/auth/register', {
        body: { email: uniqueEmail('huge'), password: PASSWORD, name: 'x'.repeat(2 * 1024 * 1024) },
      });
      expectProblem(res, 413, 'payload_too_large');
      expect(await countUsers()).to.equal(usersBefore);
    });

    it('accepts unicode names and passwords and returns them unchanged', async () => {
      const email = uniqueEmail('unicode');
      const name = 'Zoë 名前 Ñandú 🚀';
      const password = 'pässwörd-日本語-🔑-ok';
      const res = await app.request('POST', '/api/v1/auth/register', { body: { email, password, name } });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.user.name).to.equal(name);
      const [row] = await usersWithEmail(email);
      expect(row.name).to.equal(name);
      const login = await app.request('POST', '/api/v1/auth/login', { body: { email, password } });
      expect(login.status).to.equal(200);
      expect(login.body.user.name).to.equal(name);
    });

    it('stores SQL-looking strings literally and changes nothing else', async () => {
      const usersBefore = await countUsers();
      const name = "Robert'); DROP TABLE users; --";
      const email = `o'reilly-${Date.now().toString(36)}@example.test`;
      const password = "' OR '1'='1'; --";
      const res = await app.request('POST', '/api/v1/auth/register', { body: { email, password, name } });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.user).to.include({ name, email });
      expect(await countUsers()).to.equal(usersBefore + 1);
      const [row] = await usersWithEmail(email);
      expect(row.name).to.equal(name);

      const login = await app.request('POST', '/api/v1/auth/login', { body: { email, password } });
      expect(login.status).to.equal(200);
      const injected = await app.request('POST', '/api/v1/auth/login', {
        body: { email: "' OR 1=1; --", password },
      });
      expectProblem(injected, 401, 'invalid_credentials');
      const other = await registerUser(app, 'sqlvictim');
      const cross = await app.request('POST', '/api/v1/auth/login', {
        body: { email: other.email, password: "x' OR '1'='1" },
      });
      expectProblem(cross, 401, 'invalid_credentials');
      expect(await countUsers()).to.equal(usersBefore + 2);
    });
  });

  describe('POST /api/v1/auth/login', () => {
    it('answers 200 {user, accessToken, refreshToken} and opens a new session', async () => {
      const user = await registerUser(app, 'login');
      const res = await app.request('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.have.all.keys('user', 'accessToken', 'refreshToken');
      expect(res.body.user).to.have.all.keys('id', 'email', 'name', 'createdAt');
      expect(res.body.user).to.include({ id: user.id, email: user.email });
      expect(res.body.refreshToken).to.not.equal(user.refreshToken);
      expect(claimsOf(res.body.accessToken).sid).to.not.equal(claimsOf(user.accessToken).sid);
      const sessions = await app.dataplane.knex('sessions').where({ user_id: user.id });
      expect(sessions).to.have.length(2);
      const me = await app.request('GET', '/api/v1/auth/me', { token: res.body.accessToken });
      expect(me.status).to.equal(200);
      expect(me.body.user.id).to.equal(user.id);
    });

    it('matches the email case-insensitively and ignores surrounding spaces', async () => {
      const user = await registerUser(app, 'casing');
      const res = await app.request('POST', '/api/v1/auth/login', {
        body: { email: `  ${user.email.toUpperCase()} `, password: user.password },
      });
      expect(res.status).to.equal(200);
      expect(res.body.user.id).to.equal(user.id);
    });

    it('gives a wrong password and an unknown email the same 401 invalid_credentials', async () => {
      const user = await registerUser(app, 'samereply');
      const sessionsBefore = await app.dataplane.knex('sessions').where({ user_id: user.id });
      const wrong = await app.request('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: 'not the password at all' },
      });
      const unknown = await app.request('POST', '/api/v1/auth/login', {
        body: { email: uniqueEmail('nobody'), password: user.password },
      });
      expectProblem(wrong, 401, 'invalid_credentials');
      expectProblem(unknown, 401, 'invalid_credentials');
      expect(unknown.body).to.deep.equal(wrong.body);
      expect(unknown.headers.get('content-type')).to.equal(wrong.headers.get('content-type'));
      const sessionsAfter = await app.dataplane.knex('sessions').where({ user_id: user.id });
      expect(sessionsAfter).to.have.length(sessionsBefore.length);
    });

    const badLogins: [string, unknown][] = [
      ['an empty body', {}],
      ['a missing password', { email: 'x@example.test' }],
      ['a number as password', { email: 'x@example.test', password: 12345678901 }],
      ['an empty email', { email: '', password: PASSWORD }],
      ['an extra field', { email: 'x@example.test', password: PASSWORD, remember: true }],
    ];
    for (const [what, body] of badLogins) {
      it(`answers 422 validation_failed for ${what}`, async () => {
        const res = await app.request('POST', '/api/v1/auth/login', { body });
        expectProblem(res, 422, 'validation_failed');
      });
    }
  });

  describe('GET /api/v1/auth/me', () => {
    it('returns the user and no workspaces for a new account', async () => {
      const user = await registerUser(app, 'me');
      const res = await app.request('GET', '/api/v1/auth/me', { token: user.accessToken });
      expect(res.status).to.equal(200);
      expect(res.body.user).to.include({ id: user.id, email: user.email, name: 'me' });
      expect(res.body.workspaces).to.deep.equal([]);
    });

    it("lists a created workspace with role owner, and not in another user's me", async () => {
      const owner = await registerUser(app, 'wsowner');
      const stranger = await registerUser(app, 'stranger');
      const created = await app.request('POST', '/api/v1/workspaces', {
        token: owner.accessToken,
        body: { name: 'Marketing Team' },
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const me = await app.request('GET', '/api/v1/auth/me', { token: owner.accessToken });
      expect(me.status).to.equal(200);
      expect(me.body.workspaces).to.have.length(1);
      expect(me.body.workspaces[0]).to.include({
        id: created.body.id,
        name: 'Marketing Team',
        role: 'owner',
      });
      const other = await app.request('GET', '/api/v1/auth/me', { token: stranger.accessToken });
      expect(other.body.workspaces).to.deep.equal([]);
    });
  });

  describe('access token checks', () => {
    let user: Awaited<ReturnType<typeof registerUser>>;
    before(async () => {
      user = await registerUser(app, 'tokens');
    });

    const sign = (payload: Record<string, unknown>, secret = JWT_SECRET, options: jwt.SignOptions = {}) =>
      jwt.sign(payload, secret, { algorithm: 'HS256', issuer: 'live-tables', ...options });
    const validClaims = () => {
      const { sub, sid } = claimsOf(user.accessToken);
      return { sub, sid, jti: randomUUID() };
    };
    const now = () => Math.floor(Date.now() / 1000);

    const cases: [string, () => Record<string, string>, string][] = [
      ['no Authorization header', () => ({}), 'unauthorized'],
      ['a Basic scheme', () => ({ authorization: 'Basic dXNlcjpwYXNz' }), 'unauthorized'],
      ['"Bearer" with no token', () => ({ authorization: 'Bearer ' }), 'unauthorized'],
      ['garbage', () => ({ authorization: 'Bearer not.a.jwt' }), 'invalid_token'],
      [
        'a token signed with another secret',
        () => ({
          authorization: `Bearer ${sign({ ...validClaims() }, 'another-secret-another-secret-0123456')}`,
        }),
        'invalid_token',
      ],
      [
        'a token with a forged payload',
        () => {
          const [header, , signature] = user.accessToken.split('.');
          const forged = Buffer.from(JSON.stringify({ ...claimsOf(user.accessToken), sub: randomUUID() }));
          return { authorization: `Bearer ${header}.${forged.toString('base64url')}.${signature}` };
        },
        'invalid_token',
      ],
      [
        'an unsigned (alg none) token',
        () => {
          const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
          const body = Buffer.from(
            JSON.stringify({ ...validClaims(), iss: 'live-tables', exp: now() + 600 }),
          );
          return { authorization: `Bearer ${header}.${body.toString('base64url')}.` };
        },
        'invalid_token',
      ],
      [
        'a token from another issuer',
        () => ({
          authorization: `Bearer ${sign({ ...validClaims() }, JWT_SECRET, { issuer: 'someone-else', expiresIn: 600 })}`,
        }),
        'invalid_token',
      ],
      [
        'a token without a session id',
        () => {
          const { sub, jti } = validClaims();
          return { authorization: `Bearer ${sign({ sub, jti, exp: now() + 600 })}` };
        },
        'invalid_token',
      ],
      [
        'an expired token',
        () => ({ authorization: `Bearer ${sign({ ...validClaims(), exp: now() - 60, iat: now() - 120 })}` }),
        'token_expired',
      ],
    ];
    for (const [what, headers, code] of cases) {
      it(`answers 401 ${code} for ${what} on every user route`, async () => {
        for (const [method, path] of [
          ['GET', '/api/v1/auth/me'],
          ['GET', '/api/v1/auth/sessions'],
          ['POST', '/api/v1/auth/logout'],
          ['GET', '/api/v1/workspaces'],
        ] as const) {
          const res = await app.request(method, path, { headers: headers() });
          expectProblem(res, 401, code);
        }
        // The real token still works: nothing above revoked anything.
        const me = await app.request('GET', '/api/v1/auth/me', { token: user.accessToken });
        expect(me.status).to.equal(200);
      });
    }

    it('accepts a hand-signed token with the right secret, issuer and claims (the checks above are not vacuous)', async () => {
      const token = sign({ ...validClaims(), exp: now() + 600 });
      const res = await app.request('GET', '/api/v1/auth/me', { token });
      expect(res.status).to.equal(200);
      expect(res.body.user.id).to.equal(user.id);
    });

    it('answers 401 for a well-signed token whose user does not exist', async () => {
      const token = sign({ sub: randomUUID(), sid: randomUUID(), jti: randomUUID(), exp: now() + 600 });
      const res = await app.request('GET', '/api/v1/auth/me', { token });
      expectProblem(res, 401, 'invalid_token');
    });
  });
});
