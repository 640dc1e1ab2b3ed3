import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

type User = Awaited<ReturnType<typeof registerUser>>;

const API = '/api/v1/workspaces';

describe('workspaces API', () => {
  let app: TestApp;
  let owner: User;
  let stranger: User;
  let slugCounter = 0;
  const uniqueSlug = (prefix = 'ws') => `${prefix}-${process.pid}-${slugCounter++}`;

  async function createWorkspace(user: User, body: Record<string, unknown> = {}) {
    const res = await app.request('POST', API, { token: user.accessToken, body: { name: 'Acme', ...body } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string; slug: string; name: string };
  }

  async function schemaTables(schema: string): Promise<string[]> {
    const rows = await app.dataplane
      .knex('information_schema.tables')
      .where('table_schema', schema)
      .pluck<string[]>('table_name');
    return rows;
  }

  async function schemaExists(schema: string): Promise<boolean> {
    const row = await app.dataplane.knex('information_schema.schemata').where('schema_name', schema).first();
    return row !== undefined;
  }

  before(async () => {
    app = await startTestApp();
    owner = await registerUser(app, 'owner');
    stranger = await registerUser(app, 'stranger');
  });
  after(() => app.stop());

  describe('POST /workspaces', () => {
    it('creates a workspace with the given slug, makes the caller owner and bootstraps its schema', async () => {
      const slug = uniqueSlug('sales-team');
      const res = await app.request('POST', API, {
        token: owner.accessToken,
        body: { name: '  Sales team ', slug, description: 'Pipeline', settings: { auditRetentionDays: 30 } },
      });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ slug, name: 'Sales team', description: 'Pipeline', role: 'owner' });
      expect(res.body.id).to.match(/^[0-9a-f-]{36}$/);
      expect(res.body.settings).to.deep.equal({ defaultInviteRole: 'editor', auditRetentionDays: 30 });

      const schema = `lt_ws_${slug.replaceAll('-', '_')}`;
      expect(await schemaExists(schema)).to.equal(true);
      expect(await schemaTables(schema)).to.include('audit_logs');

      const row = await app.dataplane.knex('workspaces').where({ id: res.body.id }).first();
      expect(row).to.include({ slug, schema_name: schema, created_by: owner.id });
      const member = await app.dataplane
        .knex('workspace_members')
        .where({ workspace_id: res.body.id, user_id: owner.id })
        .first();
      expect(member.role).to.equal('owner');
    });

    it('generates a slug from the name when none is given', async () => {
      const res = await app.request('POST', API, {
        token: owner.accessToken,
        body: { name: 'Ünïcödé Plans & Goals!' },
      });
      expect(res.status).to.equal(201);
      expect(res.body.slug).to.match(/^unicode-plans-goals-[a-z0-9]{6}$/);
      expect(await schemaExists(`lt_ws_${res.body.slug.replaceAll('-', '_')}`)).to.equal(true);

      const digits = await app.request('POST', API, { token: owner.accessToken, body: { name: '2024' } });
      expect(digits.status).to.equal(201);
      expect(digits.body.slug).to.match(/^ws-2024-[a-z0-9]{6}$/);
    });

    it('answers 409 slug_taken for a duplicate slug and creates nothing', async () => {
      const slug = uniqueSlug('dup');
      await createWorkspace(owner, { slug });
      const before = await app.dataplane.knex('workspaces').count<{ count: number }[]>('* as count');
      const res = await app.request('POST', API, {
        token: stranger.accessToken,
        body: { name: 'Other', slug },
      });
      expect(res.status).to.equal(409);
      expect(res.headers.get('content-type')).to.include('application/problem+json');
      expect(res.body.code).to.equal('slug_taken');
      const after = await app.dataplane.knex('workspaces').count<{ count: number }[]>('* as count');
      expect(after[0]?.count).to.equal(before[0]?.count);
    });

    for (const [label, body] of [
      ['an upper-case slug', { name: 'X', slug: 'Bad-Slug' }],
      ['a slug with SQL in it', { name: 'X', slug: 'a"; drop schema lt_control; --' }],
      ['a slug starting with a digit', { name: 'X', slug: '1abc' }],
      ['a one-letter slug', { name: 'X', slug: 'a' }],
      ['a missing name', { slug: 'fine-slug' }],
      ['a blank name', { name: '   ' }],
      ['an unknown field', { name: 'X', extra: true }],
      ['an owner default invite role', { name: 'X', settings: { defaultInviteRole: 'owner' } }],
      ['a zero retention', { name: 'X', settings: { auditRetentionDays: 0 } }],
    ] as const) {
      it(`answers 422 for ${label} and creates nothing`, async () => {
        const before = await app.dataplane.knex('workspaces').count<{ count: number }[]>('* as count');
        const res = await app.request('POST', API, { token: owner.accessToken, body });
        expect(res.status).to.equal(422);
        expect(res.body.code).to.equal('validation_failed');
        const after = await app.dataplane.knex('workspaces').count<{ count: number }[]>('* as count');
        expect(after[0]?.count).to.equal(before[0]?.count);
      });
    }

    it('requires authentication', async () => {
      const res = await app.request('POST', API, { body: { name: 'X' } });
      expect(res.status).to.equal(401);
    });
  });

  describe('GET /workspaces (pagination)', () => {
    let lister: User;
    const ids: string[] = [];
    before(async () => {
      lister = await registerUser(app, 'lister');
      for (let i = 0; i < 3; i++) ids.push((await createWorkspace(lister, { name: `L${i}` })).id);
      await createWorkspace(stranger, { name: 'not mine' });
    });

    it('lists only the caller’s workspaces with their role', async () => {
      const res = await app.request('GET', API, { token: lister.accessToken });
      expect(res.status).to.equal(200);
      expect(res.body.nextCursor).to.equal(null);
      expect(res.body.data.map((w: { id: string }) => w.id)).to.have.members(ids);
      for (const w of res.body.data) expect(w.role).to.equal('owner');
    });

    it('pages with ?limit and follows nextCursor to the rest', async () => {
      const first = await app.request('GET', `${API}?limit=1`, { token: lister.accessToken });
      expect(first.status).to.equal(200);
      expect(first.body.data).to.have.length(1);
      expect(first.body.nextCursor).to.be.a('string');
      const seen = [first.body.data[0].id];
      let cursor: string | null = first.body.nextCursor;
      while (cursor) {
        const page = await app.request('GET', `${API}?limit=1&cursor=${encodeURIComponent(cursor)}`, {
          token: lister.accessToken,
        });
        expect(page.status).to.equal(200);
        expect(page.body.data.length).to.be.at.most(1);
        seen.push(...page.body.data.map((w: { id: string }) => w.id));
        cursor = page.body.nextCursor;
        expect(seen.length).to.be.at.most(ids.length);
      }
      expect(seen).to.deep.equal([...ids].sort());

      const two = await app.request('GET', `${API}?limit=2`, { token: lister.accessToken });
      const rest = await app.request('GET', `${API}?limit=2&cursor=${two.body.nextCursor}`, {
        token: lister.accessToken,
      });
      expect(rest.body.data).to.have.length(1);
      expect(rest.body.nextCursor).to.equal(null);
    });

    for (const [label, cursor] of [
      ['garbage', 'not-a-cursor!!'],
      ['a cursor of the wrong arity', Buffer.from('["a","b"]').toString('base64url')],
      ['a cursor holding a non-uuid key', Buffer.from('["nope"]').toString('base64url')],
      ['a cursor holding SQL', Buffer.from(`["' OR 1=1 --"]`).toString('base64url')],
    ] as const) {
      it(`answers 400 invalid_cursor for ${label}`, async () => {
        const res = await app.request('GET', `${API}?cursor=${encodeURIComponent(cursor)}`, {
          token: lister.accessToken,
        });
        expect(res.status).to.equal(400);
        expect(res.body.code).to.equal('invalid_cursor');
      });
    }

    it('answers 422 for a limit out of range', async () => {
      for (const limit of ['0', '1001', 'abc']) {
        const res = await app.request('GET', `${API}?limit=${limit}`, { token: lister.accessToken });
        expect(res.status, limit).to.equal(422);
      }
    });
  });

  describe('GET and PUT /workspaces/:id', () => {
    let ws: { id: string; slug: string };
    before(async () => {
      ws = await createWorkspace(owner, { name: 'Settings', description: 'first' });
    });

    it('GET returns the workspace with the caller’s role', async () => {
      const res = await app.request('GET', `${API}/${ws.id}`, { token: owner.accessToken });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: ws.id, slug: ws.slug, name: 'Settings', role: 'owner' });
      expect(res.body.settings).to.deep.equal({ defaultInviteRole: 'editor', auditRetentionDays: 365 });
    });

    it('PUT changes what it is given and keeps the rest', async () => {
      const settings = await app.request('PUT', `${API}/${ws.id}`, {
        token: owner.accessToken,
        body: { settings: { defaultInviteRole: 'viewer', auditRetentionDays: 90 } },
      });
      expect(settings.status).to.equal(200);
      expect(settings.body).to.include({ name: 'Settings', description: 'first', role: 'owner' });
      expect(settings.body.settings).to.deep.equal({ defaultInviteRole: 'viewer', auditRetentionDays: 90 });

      const rename = await app.request('PUT', `${API}/${ws.id}`, {
        token: owner.accessToken,
        body: { name: 'Renamed' },
      });
      expect(rename.status).to.equal(200);
      expect(rename.body).to.include({ name: 'Renamed', description: 'first' });
      expect(rename.body.settings).to.deep.equal({ defaultInviteRole: 'viewer', auditRetentionDays: 90 });

      const partial = await app.request('PUT', `${API}/${ws.id}`, {
        token: owner.accessToken,
        body: { description: '', settings: { auditRetentionDays: 7 } },
      });
      expect(partial.status).to.equal(200);
      expect(partial.body).to.include({ name: 'Renamed', description: '' });
      expect(partial.body.settings).to.deep.equal({ defaultInviteRole: 'viewer', auditRetentionDays: 7 });

      const got = await app.request('GET', `${API}/${ws.id}`, { token: owner.accessToken });
      expect(got.body).to.include({ name: 'Renamed', description: '' });
      expect(got.body.settings).to.deep.equal({ defaultInviteRole: 'viewer', auditRetentionDays: 7 });
      expect(Date.parse(got.body.updatedAt)).to.be.at.least(Date.parse(got.body.createdAt));
    });

    it('concurrent PUTs of different settings both take effect (no lost update)', async () => {
      const target = await createWorkspace(owner, { name: 'Racy' });
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all([
          app.request('PUT', `${API}/${target.id}`, {
            token: owner.accessToken,
            body: { settings: { defaultInviteRole: round % 2 ? 'admin' : 'viewer' } },
          }),
          app.request('PUT', `${API}/${target.id}`, {
            token: owner.accessToken,
            body: { settings: { auditRetentionDays: 10 + round } },
          }),
        ]);
        expect(results.map((r) => r.status)).to.deep.equal([200, 200]);
        const got = await app.request('GET', `${API}/${target.id}`, { token: owner.accessToken });
        expect(got.body.settings).to.deep.equal({
          defaultInviteRole: round % 2 ? 'admin' : 'viewer',
          auditRetentionDays: 10 + round,
        });
      }
    });

    for (const [label, body] of [
      ['an empty body', {}],
      ['a slug change', { slug: 'other-slug' }],
      ['an owner default invite role', { settings: { defaultInviteRole: 'owner' } }],
      ['a retention of the wrong type', { settings: { auditRetentionDays: '30' } }],
      ['an unknown setting', { settings: { colour: 'red' } }],
      ['an over-long name', { name: 'x'.repeat(101) }],
    ] as const) {
      it(`PUT answers 422 for ${label} and changes nothing`, async () => {
        const before = await app.request('GET', `${API}/${ws.id}`, { token: owner.accessToken });
        const res = await app.request('PUT', `${API}/${ws.id}`, { token: owner.accessToken, body });
        expect(res.status).to.equal(422);
        const after = await app.request('GET', `${API}/${ws.id}`, { token: owner.accessToken });
        expect(after.body).to.deep.equal(before.body);
      });
    }
  });

  describe('DELETE /workspaces/:id', () => {
    it('lets the owner delete: schema dropped, members and invitations gone, 404 afterwards', async () => {
      const slug = uniqueSlug('doomed');
      const ws = await createWorkspace(owner, { slug });
      const invite = await app.request('POST', `${API}/${ws.id}/invite`, {
        token: owner.accessToken,
        body: { email: stranger.email },
      });
      expect(invite.status).to.equal(201);
      const schema = `lt_ws_${slug.replaceAll('-', '_')}`;
      expect(await schemaExists(schema)).to.equal(true);

      const res = await app.request('DELETE', `${API}/${ws.id}`, { token: owner.accessToken });
      expect(res.status).to.equal(204);
      expect(await schemaExists(schema)).to.equal(false);
      expect(await app.dataplane.knex('workspaces').where({ id: ws.id })).to.have.length(0);
      expect(await app.dataplane.knex('workspace_members').where({ workspace_id: ws.id })).to.have.length(0);
      expect(await app.dataplane.knex('invitations').where({ workspace_id: ws.id })).to.have.length(0);

      expect((await app.request('GET', `${API}/${ws.id}`, { token: owner.accessToken })).status).to.equal(
        404,
      );
      expect((await app.request('DELETE', `${API}/${ws.id}`, { token: owner.accessToken })).status).to.equal(
        404,
      );
      const accept = await app.request('POST', `/api/v1/invitations/${invite.body.token}/accept`, {
        token: stranger.accessToken,
      });
      expect(accept.status).to.equal(404);
      const list = await app.request('GET', API, { token: owner.accessToken });
      expect(list.body.data.map((w: { id: string }) => w.id)).not.to.include(ws.id);

      // The slug is free again.
      await createWorkspace(owner, { slug });
    });
  });

  describe('another workspace’s resources', () => {
    let ws: { id: string };
    let memberId: string;
    before(async () => {
      ws = await createWorkspace(owner, { name: 'Private' });
      const other = await registerUser(app, 'member');
      memberId = other.id;
      await app.dataplane
        .knex('workspace_members')
        .insert({ workspace_id: ws.id, user_id: other.id, role: 'viewer' });
    });

    const calls: [string, (id: string) => string, unknown?][] = [
      ['GET', (id) => `${API}/${id}`],
      ['PUT', (id) => `${API}/${id}`, { name: 'Hijacked' }],
      ['DELETE', (id) => `${API}/${id}`],
      ['GET', (id) => `${API}/${id}/members`],
      ['PATCH', (id) => `${API}/${id}/members/00000000-0000-4000-8000-000000000000`, { role: 'viewer' }],
      ['DELETE', (id) => `${API}/${id}/members/00000000-0000-4000-8000-000000000000`],
      ['POST', (id) => `${API}/${id}/invite`, { email: 'x@example.test' }],
      ['GET', (id) => `${API}/${id}/invitations`],
      ['POST', (id) => `${API}/${id}/leave`],
      ['POST', (id) => `${API}/${id}/transfer-ownership`, { userId: '00000000-0000-4000-8000-000000000000' }],
    ];

    for (const [method, path, body] of calls) {
      it(`${method} ${path(':id')} answers 404 (never 403) to a non-member, a random uuid and a non-uuid`, async () => {
        for (const id of [ws.id, randomUUID(), 'not-a-uuid', "1' OR '1'='1"]) {
          const res = await app.request(method, path(encodeURIComponent(id)), {
            token: stranger.accessToken,
            ...(body === undefined ? {} : { body }),
          });
          expect(res.status, `${method} ${id}: ${JSON.stringify(res.body)}`).to.equal(404);
          expect(res.body.code).to.equal('not_found');
        }
      });
    }

    it('the non-member’s attempts changed nothing', async () => {
      const got = await app.request('GET', `${API}/${ws.id}`, { token: owner.accessToken });
      expect(got.body.name).to.equal('Private');
      const members = await app.dataplane.knex('workspace_members').where({ workspace_id: ws.id });
      expect(members.map((m: { user_id: string }) => m.user_id)).to.have.members([owner.id, memberId]);
      expect(await app.dataplane.knex('invitations').where({ workspace_id: ws.id })).to.have.length(0);
    });
  });
});
