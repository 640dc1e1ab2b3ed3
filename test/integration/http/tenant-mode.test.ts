import { expect } from 'chai';
import { createTestDatabase } from '../../support/databases.js';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

const PASSWORD = 'correct horse battery staple';

async function register(app: TestApp, email: string, name = 'someone') {
  const res = await app.request('POST', '/api/v1/auth/register', {
    body: { email, password: PASSWORD, name },
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return { id: res.body.user.id as string, email, accessToken: res.body.accessToken as string };
}

async function schemas(app: TestApp): Promise<string[]> {
  return app.dataplane.knex('information_schema.schemata').pluck<string[]>('schema_name');
}

async function tablesIn(app: TestApp, schema: string): Promise<string[]> {
  return app.dataplane
    .knex('information_schema.tables')
    .where('table_schema', schema)
    .pluck<string[]>('table_name');
}

describe('tenant mode (LT_WORKSPACE)', () => {
  let acme: TestApp;
  let beta: TestApp | undefined;
  let owner: { id: string; email: string; accessToken: string };
  let acmeId: string;

  before(async () => {
    acme = await startTestApp({
      LT_WORKSPACE: 'acme',
      LT_OWNER_EMAIL: 'owner@acme.test',
      LT_DISPLAY_NAME: 'Acme Inc',
    });
    owner = await register(acme, 'Owner@Acme.test', 'Acme owner');
    const me = await acme.request('GET', '/api/v1/auth/me', { token: owner.accessToken });
    acmeId = me.body.workspaces[0]?.id;
  });
  after(async () => {
    await beta?.stop();
    await acme.stop();
  });

  it('registering the configured owner makes them owner of the one workspace', async () => {
    const me = await acme.request('GET', '/api/v1/auth/me', { token: owner.accessToken });
    expect(me.status).to.equal(200);
    expect(me.body.workspaces).to.deep.equal([{ id: acmeId, name: 'Acme Inc', slug: 'acme', role: 'owner' }]);
    const entry = await acme.dataplane
      .knex('audit_logs')
      .where({ action: 'member.bootstrap_owner', resource_id: owner.id })
      .first();
    expect(entry).to.include({ workspace_id: acmeId, resource_type: 'member' });
  });

  it('anyone else who signs up is not a member', async () => {
    const other = await registerUser(acme, 'other');
    const me = await acme.request('GET', '/api/v1/auth/me', { token: other.accessToken });
    expect(me.body.workspaces).to.deep.equal([]);
    expect(
      (await acme.request('GET', `/api/v1/workspaces/${acmeId}`, { token: other.accessToken })).status,
    ).to.equal(404);
  });

  it('serves the workspace: get, list, settings, members, invitations', async () => {
    const got = await acme.request('GET', `/api/v1/workspaces/${acmeId}`, { token: owner.accessToken });
    expect(got.status).to.equal(200);
    expect(got.body).to.include({ id: acmeId, slug: 'acme', role: 'owner' });
    const list = await acme.request('GET', '/api/v1/workspaces', { token: owner.accessToken });
    expect(list.body.data.map((w: { id: string }) => w.id)).to.deep.equal([acmeId]);
    const put = await acme.request('PUT', `/api/v1/workspaces/${acmeId}`, {
      token: owner.accessToken,
      body: { description: 'tenant', settings: { defaultInviteRole: 'viewer' } },
    });
    expect(put.status).to.equal(200);

    const invitee = await registerUser(acme, 'invitee');
    const inv = await acme.request('POST', `/api/v1/workspaces/${acmeId}/invite`, {
      token: owner.accessToken,
      body: { email: invitee.email },
    });
    expect(inv.status).to.equal(201);
    expect(inv.body.invitation.role).to.equal('viewer');
    const acc = await acme.request('POST', `/api/v1/invitations/${inv.body.token}/accept`, {
      token: invitee.accessToken,
    });
    expect(acc.status).to.equal(200);
    const members = await acme.request('GET', `/api/v1/workspaces/${acmeId}/members`, {
      token: invitee.accessToken,
    });
    expect(
      members.body.data.map((m: { userId: string; role: string }) => [m.userId, m.role]),
    ).to.have.deep.members([
      [owner.id, 'owner'],
      [invitee.id, 'viewer'],
    ]);
  });

  it('creating a workspace answers 403 managed_by_operator and creates nothing', async () => {
    const before = await schemas(acme);
    const res = await acme.request('POST', '/api/v1/workspaces', {
      token: owner.accessToken,
      body: { name: 'Sneaky', slug: 'sneaky' },
    });
    expect(res.status).to.equal(403);
    expect(res.headers.get('content-type')).to.include('application/problem+json');
    expect(res.body.code).to.equal('managed_by_operator');
    expect(await acme.dataplane.knex('workspaces').pluck('slug')).to.deep.equal(['acme']);
    expect(await schemas(acme)).to.have.members(before);
  });

  it('deleting the workspace answers 403 managed_by_operator, even to its owner, and keeps it', async () => {
    const res = await acme.request('DELETE', `/api/v1/workspaces/${acmeId}`, { token: owner.accessToken });
    expect(res.status).to.equal(403);
    expect(res.body.code).to.equal('managed_by_operator');
    expect(await acme.dataplane.knex('workspaces').where({ id: acmeId })).to.have.length(1);
    expect(
      await acme.dataplane.knex('workspace_members').where({ workspace_id: acmeId, role: 'owner' }),
    ).to.have.length(1);
    expect(await schemas(acme)).to.include('lt_ws_acme');
    const audit = await acme.dataplane.knex('audit_logs').where({ action: 'workspace.delete' });
    expect(audit).to.deep.equal([]);
  });

  it('keeps the control tables in lt_ws_acme and creates no lt_control schema', async () => {
    const tables = await tablesIn(acme, 'lt_ws_acme');
    expect(tables).to.include.members([
      'users',
      'refresh_tokens',
      'workspaces',
      'workspace_members',
      'invitations',
      'audit_logs',
    ]);
    expect(await schemas(acme)).not.to.include('lt_control');
    const row = await acme.dataplane.knex('lt_ws_acme.workspaces').where({ slug: 'acme' }).first();
    expect(row.schema_name).to.equal('lt_ws_acme');
    const user = await acme.dataplane.knex('lt_ws_acme.users').where({ id: owner.id }).first();
    expect(user.email).to.equal('owner@acme.test');
  });

  describe('a second tenant on the same database', () => {
    let betaOwner: { id: string; email: string; accessToken: string };
    let betaId: string;

    before(async () => {
      beta = await startTestApp({
        DATABASE_URL: acme.databaseUrl,
        LT_WORKSPACE: 'beta',
        LT_OWNER_EMAIL: 'owner@beta.test',
      });
      betaOwner = await register(beta, 'owner@beta.test', 'Beta owner');
      const me = await beta.request('GET', '/api/v1/auth/me', { token: betaOwner.accessToken });
      betaId = me.body.workspaces[0]?.id;
    });

    it('has its own schema, users and workspace', async () => {
      const app = beta as TestApp;
      expect(betaId).to.be.a('string').and.not.equal(acmeId);
      expect(await tablesIn(app, 'lt_ws_beta')).to.include.members(['users', 'workspaces', 'audit_logs']);
      expect(await schemas(app)).not.to.include('lt_control');
      expect(await app.dataplane.knex('workspaces').pluck('slug')).to.deep.equal(['beta']);
      expect(await acme.dataplane.knex('workspaces').pluck('slug')).to.deep.equal(['acme']);
      expect(await app.dataplane.knex('users').where({ email: owner.email })).to.deep.equal([]);
    });

    it('cannot see acme’s workspace: 404 for its id, whoever asks', async () => {
      const app = beta as TestApp;
      for (const [method, path] of [
        ['GET', `/api/v1/workspaces/${acmeId}`],
        ['PUT', `/api/v1/workspaces/${acmeId}`],
        ['GET', `/api/v1/workspaces/${acmeId}/members`],
        ['POST', `/api/v1/workspaces/${acmeId}/invite`],
      ] as const) {
        const body =
          method === 'PUT' ? { name: 'x' } : method === 'POST' ? { email: 'x@example.test' } : undefined;
        const res = await app.request(method, path, {
          token: betaOwner.accessToken,
          ...(body ? { body } : {}),
        });
        expect(res.status, `${method} ${path}`).to.equal(404);
        expect(res.body.code).to.equal('not_found');
      }
      // acme's owner, with a token signed by the same secret, gets no further on beta.
      const foreign = await app.request('GET', `/api/v1/workspaces/${acmeId}`, { token: owner.accessToken });
      expect(foreign.status).to.equal(404);
      const list = await app.request('GET', '/api/v1/workspaces', { token: betaOwner.accessToken });
      expect(list.body.data.map((w: { id: string }) => w.id)).to.deep.equal([betaId]);
    });

    it('and acme cannot see beta’s', async () => {
      const res = await acme.request('GET', `/api/v1/workspaces/${betaId}`, { token: owner.accessToken });
      expect(res.status).to.equal(404);
    });
  });
});

describe('tenant mode: an owner registered before the process starts', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const apps: TestApp[] = [];

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    for (const app of apps) await app.stop();
    await db.drop();
  });

  it('becomes owner at start-up, once, however often the process restarts', async () => {
    const first = await startTestApp({ DATABASE_URL: db.url, LT_WORKSPACE: 'gamma' });
    apps.push(first);
    const boss = await register(first, 'boss@gamma.test', 'Boss');
    const before = await first.request('GET', '/api/v1/auth/me', { token: boss.accessToken });
    expect(before.body.workspaces).to.deep.equal([]);
    await first.stop();

    for (let restart = 0; restart < 2; restart++) {
      const app = await startTestApp({
        DATABASE_URL: db.url,
        LT_WORKSPACE: 'gamma',
        LT_OWNER_EMAIL: 'Boss@Gamma.test',
      });
      apps.push(app);
      const login = await app.request('POST', '/api/v1/auth/login', {
        body: { email: 'boss@gamma.test', password: PASSWORD },
      });
      expect(login.status).to.equal(200);
      const me = await app.request('GET', '/api/v1/auth/me', { token: login.body.accessToken });
      expect(me.body.workspaces).to.have.length(1);
      expect(me.body.workspaces[0]).to.include({ slug: 'gamma', role: 'owner' });
      expect(await app.dataplane.knex('workspaces')).to.have.length(1);
      expect(await app.dataplane.knex('workspace_members')).to.have.length(1);
      await app.stop();
    }
  });
});
