import { expect } from 'chai';
import { registerUser, startTestApp, type TestApp, type TestResponse } from '../../support/test-app.js';

const BODY_LIMIT = 256 * 1024;
const PASSWORD = 'correct horse battery staple';

let emailCounter = 0;
const uniqueEmail = () => `bad-input-${Date.now().toString(36)}-${emailCounter++}@example.test`;

/** Strings that must be stored exactly as sent: SQL-looking, quoting, emoji, other scripts. */
const LITERAL_STRINGS = [
  "'; DROP TABLE users; --",
  'Robert"); DROP TABLE workspaces;--',
  "1' OR '1'='1",
  '$1 $$ \\x00 %s {{name}} ${name}',
  '🚀🔥👩‍👩‍👧‍👦 émoji',
  'Zoë Ångström — 漢字 — שלום — مرحبا',
  'e\u0301 combining, \u200b zero width, \u202e right-to-left',
];

/** Strings no text column can keep, or too big for any field: 4xx and nothing stored. */
const UNSTORABLE_STRINGS: [string, string][] = [
  ['a NUL character', 'before\u0000after'],
  ['only a NUL', '\u0000'],
  ['a lone surrogate', 'broken \ud800 pair'],
  ['a huge string', 'x'.repeat(BODY_LIMIT / 2)],
];

function expectProblem(res: TestResponse, status?: number): void {
  expect(res.status, JSON.stringify(res.body)).to.be.within(400, 499);
  if (status !== undefined) expect(res.status, JSON.stringify(res.body)).to.equal(status);
  expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(res.body.status).to.equal(res.status);
  for (const key of ['type', 'title', 'detail', 'code'])
    expect(res.body[key]).to.be.a('string').with.length.above(0);
}

describe('bad input answers 4xx problem+json and changes nothing', () => {
  let app: TestApp;
  let user: Awaited<ReturnType<typeof registerUser>>;

  before(async () => {
    app = await startTestApp({ BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    user = await registerUser(app, 'bad-input');
  });
  after(() => app.stop());

  /** Row counts of every control table and the number of workspace schemas. */
  async function snapshot(): Promise<Record<string, number>> {
    const tables = ['users', 'sessions', 'refresh_tokens', 'workspaces', 'workspace_members', 'invitations'];
    const counts: Record<string, number> = {};
    for (const table of [...tables, 'audit_logs']) {
      const [row] = await app.dataplane.knex(table).count<{ n: number }[]>({ n: '*' });
      counts[table] = Number(row?.n);
    }
    const [schemas] = await app.dataplane
      .knex('information_schema.schemata')
      .where('schema_name', 'like', 'lt\\_ws\\_%')
      .count<{ n: number }[]>({ n: '*' });
    counts.schemas = Number(schemas?.n);
    return counts;
  }

  /** The request must be refused with a 4xx problem and leave every table as it was. */
  async function refusedUnchanged(send: () => Promise<TestResponse>, status?: number): Promise<TestResponse> {
    const before = await snapshot();
    const res = await send();
    expectProblem(res, status);
    expect(await snapshot()).to.deep.equal(before);
    return res;
  }

  const register = (body: unknown) => app.request('POST', '/api/v1/auth/register', { body });
  const createWorkspace = (body: unknown) =>
    app.request('POST', '/api/v1/workspaces', { token: user.accessToken, body });

  describe('oversized bodies', () => {
    it('a register body over BODY_LIMIT_BYTES is 413 payload_too_large', async () => {
      const body = { email: uniqueEmail(), password: PASSWORD, name: 'x'.repeat(BODY_LIMIT) };
      const res = await refusedUnchanged(() => register(body), 413);
      expect(res.body.code).to.equal('payload_too_large');
    });

    it('a workspace body over the limit is 413 too', async () => {
      const res = await refusedUnchanged(
        () => createWorkspace({ name: 'Big', description: 'd'.repeat(BODY_LIMIT) }),
        413,
      );
      expect(res.body.code).to.equal('payload_too_large');
    });

    it('a body just under the limit is read and validated (422, not 413)', async () => {
      const body = { email: uniqueEmail(), password: PASSWORD, name: 'x'.repeat(BODY_LIMIT - 200) };
      const res = await refusedUnchanged(() => register(body), 422);
      expect(res.body.errors).to.deep.include({
        path: '/name',
        message: 'must NOT have more than 100 characters',
      });
    });
  });

  describe('malformed JSON', () => {
    for (const raw of [
      '{"email": "x@example.test",',
      '{"a":1}}',
      "{'email': 'x'}",
      '{"a": undefined}',
      'NaN',
      '{',
    ]) {
      it(`${JSON.stringify(raw)} is 400 bad_request`, async () => {
        const res = await refusedUnchanged(
          () => app.request('POST', '/api/v1/auth/register', { rawBody: raw }),
          400,
        );
        expect(res.body.code).to.equal('bad_request');
        expect(res.body.detail).to.match(/JSON/);
      });
    }

    it('malformed JSON with a valid token is 400 as well', async () => {
      await refusedUnchanged(
        () => app.request('POST', '/api/v1/workspaces', { token: user.accessToken, rawBody: '{"name": "x"' }),
        400,
      );
    });
  });

  describe('JSON that is not an object', () => {
    for (const raw of ['[]', '[{"email":"a@b.co"}]', '42', '"a string"', 'null', 'true']) {
      it(`${raw} where an object is expected is 4xx`, async () => {
        await refusedUnchanged(() => app.request('POST', '/api/v1/auth/register', { rawBody: raw }));
        await refusedUnchanged(() =>
          app.request('POST', '/api/v1/workspaces', { token: user.accessToken, rawBody: raw }),
        );
      });
    }

    it('a deeply nested body is 4xx, not a stack overflow', async () => {
      // Deep enough to overflow a recursive walk, small enough to pass the body limit.
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      await refusedUnchanged(() => app.request('POST', '/api/v1/auth/register', { rawBody: deep }), 422);
      const deepSettings = `{"name":"x","settings":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}`;
      await refusedUnchanged(
        () => app.request('POST', '/api/v1/workspaces', { token: user.accessToken, rawBody: deepSettings }),
        422,
      );
    });
  });

  describe('missing fields and wrong types', () => {
    it('register with wrong types names every bad field', async () => {
      const res = await refusedUnchanged(() => register({ email: 123, password: true, name: ['x'] }), 422);
      const paths = (res.body.errors as { path: string }[]).map((e) => e.path);
      expect(paths).to.include.members(['/email', '/password', '/name']);
    });

    it('register with missing fields, an empty object or an unknown field is 422', async () => {
      await refusedUnchanged(() => register({ email: uniqueEmail() }), 422);
      await refusedUnchanged(() => register({}), 422);
      await refusedUnchanged(
        () => register({ email: uniqueEmail(), password: PASSWORD, name: 'x', admin: true }),
        422,
      );
    });

    it('workspace create with wrong types, a bad slug or bad settings is 422', async () => {
      await refusedUnchanged(() => createWorkspace({ name: 123 }), 422);
      await refusedUnchanged(() => createWorkspace({ name: '   ' }), 422);
      await refusedUnchanged(
        () => createWorkspace({ name: 'x', slug: "x'; DROP SCHEMA lt_control; --" }),
        422,
      );
      await refusedUnchanged(() => createWorkspace({ name: 'x', settings: 'everything' }), 422);
      await refusedUnchanged(
        () => createWorkspace({ name: 'x', settings: { auditRetentionDays: '30' } }),
        422,
      );
    });
  });

  describe('strange strings', () => {
    for (const text of LITERAL_STRINGS) {
      it(`register stores ${JSON.stringify(text)} literally`, async () => {
        const email = uniqueEmail();
        const res = await register({ email, password: PASSWORD, name: text });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body.user.name).to.equal(text);
        const row = await app.dataplane.knex('users').where({ email }).first();
        expect(row?.name).to.equal(text);
      });

      it(`workspace create stores ${JSON.stringify(text)} literally`, async () => {
        const res = await createWorkspace({ name: text, description: text });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        expect(res.body).to.include({ name: text, description: text });
        const row = await app.dataplane.knex('workspaces').where({ id: res.body.id }).first();
        expect(row).to.include({ name: text, description: text });
      });
    }

    for (const [what, text] of UNSTORABLE_STRINGS) {
      it(`${what} is refused everywhere with 422, never a 500`, async () => {
        await refusedUnchanged(() => register({ email: uniqueEmail(), password: PASSWORD, name: text }), 422);
        await refusedUnchanged(
          () => register({ email: uniqueEmail(), password: `${PASSWORD}${text}`, name: 'n' }),
          422,
        );
        await refusedUnchanged(() => createWorkspace({ name: text }), 422);
        await refusedUnchanged(() => createWorkspace({ name: 'ok', description: text }), 422);
        await refusedUnchanged(() =>
          app.request('POST', '/api/v1/auth/login', { body: { email: text, password: text } }),
        );
        await refusedUnchanged(() =>
          app.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: text } }),
        );
      });
    }

    it('a NUL inside an otherwise valid password is refused (bcrypt would ignore what follows it)', async () => {
      const res = await refusedUnchanged(
        () => register({ email: uniqueEmail(), password: 'correct horse\u0000anything', name: 'n' }),
        422,
      );
      expect(res.body.errors).to.deep.include({
        path: '/password',
        message: 'must not contain NUL (\\u0000)',
      });
    });

    it('SQL-looking and NUL values in path and query parameters are 4xx', async () => {
      const opts = { token: user.accessToken };
      for (const id of ["'; DROP TABLE users; --", '1 OR 1=1', '%00', '%F0%9F%9A%80']) {
        await refusedUnchanged(() =>
          app.request('GET', `/api/v1/workspaces/${encodeURIComponent(id)}`, opts),
        );
      }
      await refusedUnchanged(() => app.request('GET', '/api/v1/workspaces?cursor=%00', opts));
      await refusedUnchanged(() => app.request('GET', '/api/v1/workspaces?limit=1;DROP TABLE users', opts));
      await refusedUnchanged(() => app.request('POST', '/api/v1/invitations/%00/accept', opts));
    });

    it('SQL-looking login is an ordinary 401 and the tables are still there', async () => {
      await refusedUnchanged(
        () =>
          app.request('POST', '/api/v1/auth/login', {
            body: { email: "' OR 1=1 --", password: "' OR ''='" },
          }),
        401,
      );
      const { rows } = await app.dataplane.knex.raw<{ rows: { present: boolean }[] }>(
        "SELECT to_regclass('lt_control.users') IS NOT NULL AS present",
      );
      expect(rows[0]?.present).to.equal(true);
    });
  });

  describe('content types', () => {
    const body = () => JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'Typed' });
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
    ]) {
      it(`a body sent as ${type} is 415`, async () => {
        const res = await refusedUnchanged(
          () =>
            app.request('POST', '/api/v1/auth/register', {
              rawBody: body(),
              headers: { 'content-type': type },
            }),
          415,
        );
        expect(res.body.code).to.equal('unsupported_media_type');
      });
    }

    it('a body without any content type is 415', async () => {
      // fetch labels a string body text/plain; a Uint8Array goes out with no content type at all.
      const res = await fetch(`${app.url}/api/v1/auth/register`, {
        method: 'POST',
        body: new TextEncoder().encode(body()),
      });
      expect(res.status).to.equal(415);
      expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    });

    it('application/json with a charset is accepted', async () => {
      const res = await app.request('POST', '/api/v1/auth/register', {
        rawBody: body(),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });

    it('a POST with no body at all is not a content-type error', async () => {
      const login = await app.request('POST', '/api/v1/auth/login', {
        body: { email: user.email, password: user.password },
      });
      const res = await fetch(`${app.url}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${login.body.accessToken}` },
      });
      expect(res.status).to.equal(204);
    });
  });
});
