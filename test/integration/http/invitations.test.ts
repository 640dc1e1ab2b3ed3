import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

type User = Awaited<ReturnType<typeof registerUser>>;

const API = '/api/v1/workspaces';

describe('invitations API', () => {
  let app: TestApp;
  let emailCounter = 0;
  const freshEmail = (name = 'invitee') => `${name}-${process.pid}-${emailCounter++}@example.test`;

  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  async function workspace(body: Record<string, unknown> = {}) {
    const owner = await registerUser(app, 'owner');
    const res = await app.request('POST', API, { token: owner.accessToken, body: { name: 'Inv', ...body } });
    expect(res.status).to.equal(201);
    return { id: res.body.id as string, owner };
  }

  const invite = (ws: string, actor: User, body: Record<string, unknown>) =>
    app.request('POST', `${API}/${ws}/invite`, { token: actor.accessToken, body });
  const accept = (token: string, user: User) =>
    app.request('POST', `/api/v1/invitations/${encodeURIComponent(token)}/accept`, {
      token: user.accessToken,
    });
  const decline = (token: string, user: User) =>
    app.request('POST', `/api/v1/invitations/${encodeURIComponent(token)}/decline`, {
      token: user.accessToken,
    });

  async function memberRole(workspaceId: string, userId: string): Promise<string | undefined> {
    const row = await app.dataplane
      .knex('workspace_members')
      .where({ workspace_id: workspaceId, user_id: userId })
      .first();
    return row?.role;
  }

  async function statusOf(invitationId: string): Promise<string> {
    const row = await app.dataplane.knex('invitations').where({ id: invitationId }).first();
    return row.status;
  }

  describe('POST /workspaces/:id/invite', () => {
    it('answers 201 with the invitation and a token; the token is stored only hashed', async () => {
      const { id, owner } = await workspace();
      const res = await invite(id, owner, { email: 'New.Person@Example.TEST', role: 'viewer' });
      expect(res.status).to.equal(201);
      expect(res.body.token).to.be.a('string').with.length.greaterThan(30);
      expect(res.body.invitation).to.include({
        workspaceId: id,
        email: 'new.person@example.test',
        role: 'viewer',
        status: 'pending',
        invitedBy: owner.id,
      });
      expect(Date.parse(res.body.invitation.expiresAt)).to.be.greaterThan(
        Date.parse(res.body.invitation.createdAt),
      );
      const row = await app.dataplane.knex('invitations').where({ id: res.body.invitation.id }).first();
      expect(row.token_hash).to.be.a('string').and.not.equal(res.body.token);
      expect(JSON.stringify(row)).not.to.include(res.body.token);
    });

    it('defaults the role to the workspace setting defaultInviteRole', async () => {
      const plain = await workspace();
      const res = await invite(plain.id, plain.owner, { email: freshEmail() });
      expect(res.body.invitation.role).to.equal('editor');

      const viewers = await workspace({ settings: { defaultInviteRole: 'viewer' } });
      expect(
        (await invite(viewers.id, viewers.owner, { email: freshEmail() })).body.invitation.role,
      ).to.equal('viewer');
      const put = await app.request('PUT', `${API}/${viewers.id}`, {
        token: viewers.owner.accessToken,
        body: { settings: { defaultInviteRole: 'admin' } },
      });
      expect(put.status).to.equal(200);
      expect(
        (await invite(viewers.id, viewers.owner, { email: freshEmail() })).body.invitation.role,
      ).to.equal('admin');
    });

    it('answers 409 already_member for someone who is already a member (any email case)', async () => {
      const { id, owner } = await workspace();
      const res = await invite(id, owner, { email: owner.email.toUpperCase() });
      expect(res.status).to.equal(409);
      expect(res.body.code).to.equal('already_member');
      expect(await app.dataplane.knex('invitations').where({ workspace_id: id })).to.have.length(0);
    });

    for (const [label, body] of [
      ['the owner role', { email: 'a@example.test', role: 'owner' }],
      ['an unknown role', { email: 'a@example.test', role: 'root' }],
      ['a malformed email', { email: 'not an email' }],
      ['a missing email', { role: 'viewer' }],
      ['an email of the wrong type', { email: 42 }],
      ['an unknown field', { email: 'a@example.test', message: 'hi' }],
    ] as const) {
      it(`answers 422 for ${label} and writes nothing`, async () => {
        const { id, owner } = await workspace();
        const res = await invite(id, owner, body);
        expect(res.status).to.equal(422);
        expect(res.body.code).to.equal('validation_failed');
        expect(await app.dataplane.knex('invitations').where({ workspace_id: id })).to.have.length(0);
      });
    }

    it('lets an admin invite up to admin; editors and viewers cannot invite', async () => {
      const { id, owner } = await workspace();
      const [admin, editor, viewer] = [
        await registerUser(app, 'admin'),
        await registerUser(app, 'editor'),
        await registerUser(app, 'viewer'),
      ];
      for (const [user, role] of [
        [admin, 'admin'],
        [editor, 'editor'],
        [viewer, 'viewer'],
      ] as const) {
        const res = await invite(id, owner, { email: user.email, role });
        expect((await accept(res.body.token, user)).status).to.equal(200);
      }
      expect((await invite(id, admin, { email: freshEmail(), role: 'admin' })).status).to.equal(201);
      for (const user of [editor, viewer]) {
        const res = await invite(id, user, { email: freshEmail(), role: 'viewer' });
        expect(res.status).to.equal(403);
        expect(res.body.code).to.equal('forbidden');
      }
    });

    it('a new invitation to the same address replaces the open one', async () => {
      const { id, owner } = await workspace();
      const email = freshEmail();
      const first = await invite(id, owner, { email, role: 'viewer' });
      const second = await invite(id, owner, { email, role: 'admin' });
      expect(await statusOf(first.body.invitation.id)).to.equal('revoked');
      const list = await app.request('GET', `${API}/${id}/invitations`, { token: owner.accessToken });
      expect(list.body.data.map((i: { id: string }) => i.id)).to.deep.equal([second.body.invitation.id]);
      const user = await app.request('POST', '/api/v1/auth/register', {
        body: { email, password: 'correct horse battery staple', name: 'Late' },
      });
      expect(user.status).to.equal(201);
      const invitee = { ...user.body.user, accessToken: user.body.accessToken } as User;
      expect((await accept(first.body.token, invitee)).status).to.equal(404);
      const ok = await accept(second.body.token, invitee);
      expect(ok.status).to.equal(200);
      expect(ok.body.role).to.equal('admin');
    });
  });

  describe('listing and revoking', () => {
    it('lists only pending, unexpired invitations, with paging, never the token', async () => {
      const { id, owner } = await workspace();
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await invite(id, owner, { email: freshEmail(), role: 'viewer' }));
      const [a, b, c] = made as [(typeof made)[0], (typeof made)[0], (typeof made)[0]];
      await app.dataplane
        .knex('invitations')
        .where({ id: c.body.invitation.id })
        .update({ expires_at: new Date(Date.now() - 1000) });
      expect(
        (
          await app.request('DELETE', `${API}/${id}/invitations/${b.body.invitation.id}`, {
            token: owner.accessToken,
          })
        ).status,
      ).to.equal(204);

      const res = await app.request('GET', `${API}/${id}/invitations`, { token: owner.accessToken });
      expect(res.status).to.equal(200);
      expect(res.body.data.map((i: { id: string }) => i.id)).to.deep.equal([a.body.invitation.id]);
      expect(JSON.stringify(res.body)).not.to.include(a.body.token);
      expect(res.body.data[0]).not.to.have.property('tokenHash');

      await invite(id, owner, { email: freshEmail() });
      const page = await app.request('GET', `${API}/${id}/invitations?limit=1`, { token: owner.accessToken });
      expect(page.body.data).to.have.length(1);
      const rest = await app.request(
        'GET',
        `${API}/${id}/invitations?limit=1&cursor=${page.body.nextCursor}`,
        {
          token: owner.accessToken,
        },
      );
      expect(rest.body.data).to.have.length(1);
      expect(rest.body.nextCursor).to.equal(null);
      expect(rest.body.data[0].id).not.to.equal(page.body.data[0].id);

      // An expired invitation cannot be accepted either.
      const late = await registerUser(app, 'late');
      await app.dataplane
        .knex('invitations')
        .where({ id: c.body.invitation.id })
        .update({ email: late.email });
      expect((await accept(c.body.token, late)).status).to.equal(404);
    });

    it('revoking makes the token useless; revoking twice, unknown or foreign ids answer 404', async () => {
      const { id, owner } = await workspace();
      const other = await workspace();
      const invitee = await registerUser(app, 'invitee');
      const res = await invite(id, owner, { email: invitee.email, role: 'viewer' });
      const invId: string = res.body.invitation.id;
      const foreign = await app.request('DELETE', `${API}/${other.id}/invitations/${invId}`, {
        token: other.owner.accessToken,
      });
      expect(foreign.status).to.equal(404);
      expect(await statusOf(invId)).to.equal('pending');

      const del = await app.request('DELETE', `${API}/${id}/invitations/${invId}`, {
        token: owner.accessToken,
      });
      expect(del.status).to.equal(204);
      expect(await statusOf(invId)).to.equal('revoked');
      for (const target of [invId, randomUUID(), 'not-a-uuid']) {
        const again = await app.request('DELETE', `${API}/${id}/invitations/${target}`, {
          token: owner.accessToken,
        });
        expect(again.status, target).to.equal(404);
      }
      expect((await accept(res.body.token, invitee)).status).to.equal(404);
      expect(await memberRole(id, invitee.id)).to.equal(undefined);
    });
  });

  describe('accepting and declining', () => {
    it('the invited account joins with the invitation’s role and sees the workspace in /auth/me', async () => {
      const { id, owner } = await workspace();
      const invitee = await registerUser(app, 'invitee');
      const res = await invite(id, owner, { email: invitee.email, role: 'viewer' });
      const ok = await accept(res.body.token, invitee);
      expect(ok.status).to.equal(200);
      expect(ok.body).to.include({ id, name: 'Inv', role: 'viewer' });
      expect(await memberRole(id, invitee.id)).to.equal('viewer');
      expect(await statusOf(res.body.invitation.id)).to.equal('accepted');
      const me = await app.request('GET', '/api/v1/auth/me', { token: invitee.accessToken });
      expect(me.body.workspaces).to.deep.equal([{ id, name: 'Inv', slug: ok.body.slug, role: 'viewer' }]);
      const list = await app.request('GET', `${API}/${id}/invitations`, { token: owner.accessToken });
      expect(list.body.data).to.deep.equal([]);

      const twice = await accept(res.body.token, invitee);
      expect(twice.status).to.equal(404);
      expect(twice.body.code).to.equal('not_found');
    });

    it('another account gets 403 invitation_email_mismatch and the invitation stays open', async () => {
      const { id, owner } = await workspace();
      const invitee = await registerUser(app, 'invitee');
      const intruder = await registerUser(app, 'intruder');
      const res = await invite(id, owner, { email: invitee.email });
      for (const call of [accept, decline]) {
        const denied = await call(res.body.token, intruder);
        expect(denied.status).to.equal(403);
        expect(denied.body.code).to.equal('invitation_email_mismatch');
      }
      expect(await memberRole(id, intruder.id)).to.equal(undefined);
      expect(await statusOf(res.body.invitation.id)).to.equal('pending');
      expect((await accept(res.body.token, invitee)).status).to.equal(200);
    });

    it('unknown or malformed tokens answer 404; no token at all is 401', async () => {
      const user = await registerUser(app, 'guesser');
      for (const token of ['does-not-exist', 'x'.repeat(43), "' OR 1=1 --", 'ünïcödé']) {
        expect((await accept(token, user)).status, token).to.equal(404);
        expect((await decline(token, user)).status, token).to.equal(404);
      }
      const anon = await app.request('POST', '/api/v1/invitations/whatever/accept');
      expect(anon.status).to.equal(401);
    });

    it('declining closes the invitation without joining', async () => {
      const { id, owner } = await workspace();
      const invitee = await registerUser(app, 'decliner');
      const res = await invite(id, owner, { email: invitee.email, role: 'admin' });
      const no = await decline(res.body.token, invitee);
      expect(no.status).to.equal(204);
      expect(await statusOf(res.body.invitation.id)).to.equal('declined');
      expect(await memberRole(id, invitee.id)).to.equal(undefined);
      expect((await accept(res.body.token, invitee)).status).to.equal(404);
      expect((await decline(res.body.token, invitee)).status).to.equal(404);
      const list = await app.request('GET', `${API}/${id}/invitations`, { token: owner.accessToken });
      expect(list.body.data).to.deep.equal([]);
    });
  });
});
