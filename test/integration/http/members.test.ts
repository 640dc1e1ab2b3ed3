import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

type User = Awaited<ReturnType<typeof registerUser>>;
type Role = 'owner' | 'admin' | 'editor' | 'viewer';

const API = '/api/v1/workspaces';

describe('workspace members API', () => {
  let app: TestApp;

  before(async () => {
    app = await startTestApp();
  });
  after(() => app.stop());

  /** A fresh workspace with one member per requested role (joined through real invitations). */
  async function team(...roles: Exclude<Role, 'owner'>[]) {
    const owner = await registerUser(app, 'owner');
    const created = await app.request('POST', API, { token: owner.accessToken, body: { name: 'Team' } });
    expect(created.status).to.equal(201);
    const id: string = created.body.id;
    const members: User[] = [];
    for (const role of roles) {
      const user = await registerUser(app, role);
      const invite = await app.request('POST', `${API}/${id}/invite`, {
        token: owner.accessToken,
        body: { email: user.email, role },
      });
      expect(invite.status).to.equal(201);
      const accept = await app.request('POST', `/api/v1/invitations/${invite.body.token}/accept`, {
        token: user.accessToken,
      });
      expect(accept.status).to.equal(200);
      members.push(user);
    }
    return { id, owner, members };
  }

  async function roleOf(workspaceId: string, userId: string): Promise<Role | undefined> {
    const row = await app.dataplane
      .knex('workspace_members')
      .where({ workspace_id: workspaceId, user_id: userId })
      .first();
    return row?.role;
  }

  async function roles(workspaceId: string): Promise<Record<string, Role>> {
    const rows = await app.dataplane.knex('workspace_members').where({ workspace_id: workspaceId });
    return Object.fromEntries(rows.map((r: { user_id: string; role: Role }) => [r.user_id, r.role]));
  }

  const patchRole = (ws: string, actor: User, target: string, role: string) =>
    app.request('PATCH', `${API}/${ws}/members/${target}`, { token: actor.accessToken, body: { role } });

  describe('listing', () => {
    it('lists every member with email, name and role; viewers may list', async () => {
      const { id, owner, members } = await team('admin', 'editor', 'viewer');
      const viewer = members[2] as User;
      const res = await app.request('GET', `${API}/${id}/members`, { token: viewer.accessToken });
      expect(res.status).to.equal(200);
      expect(res.body.nextCursor).to.equal(null);
      const byId = Object.fromEntries(res.body.data.map((m: { userId: string }) => [m.userId, m]));
      expect(Object.keys(byId)).to.have.members([owner.id, ...members.map((m) => m.id)]);
      expect(byId[owner.id]).to.include({ email: owner.email, name: 'owner', role: 'owner' });
      expect(byId[viewer.id]).to.include({ email: viewer.email, role: 'viewer' });
      expect(byId[viewer.id].joinedAt).to.match(/^\d{4}-\d\d-\d\dT/);
    });

    it('pages with ?limit and nextCursor, and rejects a forged cursor', async () => {
      const { id, owner } = await team('editor', 'viewer');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = await app.request('GET', `${API}/${id}/members?limit=2${q}`, {
          token: owner.accessToken,
        });
        expect(page.status).to.equal(200);
        seen.push(...page.body.data.map((m: { userId: string }) => m.userId));
        cursor = page.body.nextCursor;
      } while (cursor && seen.length < 10);
      expect(seen).to.have.length(3);
      expect(new Set(seen).size).to.equal(3);

      const forged = Buffer.from('["x"]').toString('base64url');
      const bad = await app.request('GET', `${API}/${id}/members?cursor=${forged}`, {
        token: owner.accessToken,
      });
      expect(bad.status).to.equal(400);
      expect(bad.body.code).to.equal('invalid_cursor');
    });
  });

  describe('changing roles', () => {
    it('an owner changes a member’s role; the member sees it in /auth/me', async () => {
      const { id, owner, members } = await team('editor');
      const editor = members[0] as User;
      const res = await patchRole(id, owner, editor.id, 'admin');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ userId: editor.id, email: editor.email, role: 'admin' });
      expect(await roleOf(id, editor.id)).to.equal('admin');
      const me = await app.request('GET', '/api/v1/auth/me', { token: editor.accessToken });
      const listed = me.body.workspaces.find((w: { id: string }) => w.id === id);
      expect(listed).to.include({ name: 'Team', role: 'admin' });
    });

    it('an owner may make another member owner', async () => {
      const { id, owner, members } = await team('viewer');
      const res = await patchRole(id, owner, (members[0] as User).id, 'owner');
      expect(res.status).to.equal(200);
      expect(await roleOf(id, (members[0] as User).id)).to.equal('owner');
    });

    it('an admin grants up to their own role, never owner, and never touches an owner', async () => {
      const { id, owner, members } = await team('admin', 'editor', 'viewer', 'admin');
      const [admin, editor, viewer, admin2] = members as [User, User, User, User];
      expect((await patchRole(id, admin, viewer.id, 'editor')).status).to.equal(200);
      expect((await patchRole(id, admin, editor.id, 'admin')).status).to.equal(200);
      expect((await patchRole(id, admin, admin2.id, 'viewer')).status).to.equal(200);
      const snapshot = await roles(id);

      const grantOwner = await patchRole(id, admin, viewer.id, 'owner');
      expect(grantOwner.status).to.equal(403);
      expect(grantOwner.body.code).to.equal('forbidden');
      const selfOwner = await patchRole(id, admin, admin.id, 'owner');
      expect(selfOwner.status).to.equal(403);
      const demoteOwner = await patchRole(id, admin, owner.id, 'viewer');
      expect(demoteOwner.status).to.equal(403);
      const removeOwner = await app.request('DELETE', `${API}/${id}/members/${owner.id}`, {
        token: admin.accessToken,
      });
      expect(removeOwner.status).to.equal(403);
      expect(await roles(id)).to.deep.equal(snapshot);
    });

    it('editors and viewers cannot manage members (403) and nothing changes', async () => {
      const { id, members } = await team('editor', 'viewer');
      const [editor, viewer] = members as [User, User];
      const snapshot = await roles(id);
      for (const [actor, target] of [
        [editor, viewer],
        [viewer, editor],
      ] as const) {
        const patch = await patchRole(id, actor, target.id, 'viewer');
        expect(patch.status).to.equal(403);
        expect(patch.body.code).to.equal('forbidden');
        const del = await app.request('DELETE', `${API}/${id}/members/${target.id}`, {
          token: actor.accessToken,
        });
        expect(del.status).to.equal(403);
        const selfPromote = await patchRole(id, actor, actor.id, 'admin');
        expect(selfPromote.status).to.equal(403);
      }
      expect(await roles(id)).to.deep.equal(snapshot);
    });

    it('answers 404 for an unknown member and 422 for an unknown role', async () => {
      const { id, owner, members } = await team('viewer');
      expect((await patchRole(id, owner, randomUUID(), 'viewer')).status).to.equal(404);
      expect((await patchRole(id, owner, 'not-a-user', 'viewer')).status).to.equal(404);
      const bad = await patchRole(id, owner, (members[0] as User).id, 'superuser');
      expect(bad.status).to.equal(422);
      expect(bad.body.code).to.equal('validation_failed');
      expect(await roleOf(id, (members[0] as User).id)).to.equal('viewer');
    });
  });

  describe('the last owner', () => {
    it('cannot be demoted, removed or leave (409 last_owner) and nothing changes', async () => {
      const { id, owner } = await team('admin');
      const snapshot = await roles(id);
      const demote = await patchRole(id, owner, owner.id, 'admin');
      expect(demote.status).to.equal(409);
      expect(demote.body.code).to.equal('last_owner');
      const remove = await app.request('DELETE', `${API}/${id}/members/${owner.id}`, {
        token: owner.accessToken,
      });
      expect(remove.status).to.equal(409);
      expect(remove.body.code).to.equal('last_owner');
      const leave = await app.request('POST', `${API}/${id}/leave`, { token: owner.accessToken });
      expect(leave.status).to.equal(409);
      expect(leave.body.code).to.equal('last_owner');
      expect(await roles(id)).to.deep.equal(snapshot);
    });

    it('one of two owners may be demoted or leave; then the other is the last', async () => {
      const { id, owner, members } = await team('admin');
      const second = members[0] as User;
      expect((await patchRole(id, owner, second.id, 'owner')).status).to.equal(200);
      expect((await patchRole(id, second, owner.id, 'editor')).status).to.equal(200);
      expect(await roleOf(id, owner.id)).to.equal('editor');
      const leave = await app.request('POST', `${API}/${id}/leave`, { token: second.accessToken });
      expect(leave.status).to.equal(409);
      expect(leave.body.code).to.equal('last_owner');
    });

    it('two owners demoting each other at once leave exactly one owner', async () => {
      const { id, owner, members } = await team('admin');
      const second = members[0] as User;
      expect((await patchRole(id, owner, second.id, 'owner')).status).to.equal(200);
      const results = await Promise.all([
        patchRole(id, owner, second.id, 'admin'),
        patchRole(id, second, owner.id, 'admin'),
      ]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).to.equal(200);
      expect(statuses[1]).to.be.oneOf([403, 409]);
      const after = Object.values(await roles(id));
      expect(after.filter((r) => r === 'owner')).to.have.length(1);
    });
  });

  describe('removing and leaving', () => {
    it('an owner removes a member, who then gets 404 for the workspace', async () => {
      const { id, owner, members } = await team('editor', 'viewer');
      const [editor, viewer] = members as [User, User];
      const res = await app.request('DELETE', `${API}/${id}/members/${editor.id}`, {
        token: owner.accessToken,
      });
      expect(res.status).to.equal(204);
      expect(await roleOf(id, editor.id)).to.equal(undefined);
      expect(await roleOf(id, viewer.id)).to.equal('viewer');
      expect((await app.request('GET', `${API}/${id}`, { token: editor.accessToken })).status).to.equal(404);
      const again = await app.request('DELETE', `${API}/${id}/members/${editor.id}`, {
        token: owner.accessToken,
      });
      expect(again.status).to.equal(404);
    });

    it('an admin removes an editor and may remove themselves', async () => {
      const { id, members } = await team('admin', 'editor');
      const [admin, editor] = members as [User, User];
      expect(
        (await app.request('DELETE', `${API}/${id}/members/${editor.id}`, { token: admin.accessToken }))
          .status,
      ).to.equal(204);
      expect(
        (await app.request('DELETE', `${API}/${id}/members/${admin.id}`, { token: admin.accessToken }))
          .status,
      ).to.equal(204);
      expect(await roleOf(id, admin.id)).to.equal(undefined);
    });

    it('any member may leave; the workspace disappears from their /auth/me and list', async () => {
      const { id, owner, members } = await team('viewer');
      const viewer = members[0] as User;
      const before = await app.request('GET', '/api/v1/auth/me', { token: viewer.accessToken });
      expect(before.body.workspaces.map((w: { id: string }) => w.id)).to.include(id);
      const res = await app.request('POST', `${API}/${id}/leave`, { token: viewer.accessToken });
      expect(res.status).to.equal(204);
      const me = await app.request('GET', '/api/v1/auth/me', { token: viewer.accessToken });
      expect(me.body.workspaces.map((w: { id: string }) => w.id)).not.to.include(id);
      const list = await app.request('GET', API, { token: viewer.accessToken });
      expect(list.body.data).to.deep.equal([]);
      expect(
        (await app.request('POST', `${API}/${id}/leave`, { token: viewer.accessToken })).status,
      ).to.equal(404);
      expect(await roleOf(id, owner.id)).to.equal('owner');
    });
  });

  describe('transferring ownership', () => {
    it('makes the target owner and the previous owner admin', async () => {
      const { id, owner, members } = await team('editor');
      const editor = members[0] as User;
      const res = await app.request('POST', `${API}/${id}/transfer-ownership`, {
        token: owner.accessToken,
        body: { userId: editor.id },
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ userId: editor.id, role: 'owner' });
      expect(await roles(id)).to.deep.equal({ [owner.id]: 'admin', [editor.id]: 'owner' });

      // The former owner is now an admin: no second transfer, no deleting.
      const again = await app.request('POST', `${API}/${id}/transfer-ownership`, {
        token: owner.accessToken,
        body: { userId: owner.id },
      });
      expect(again.status).to.equal(403);
      expect((await app.request('DELETE', `${API}/${id}`, { token: owner.accessToken })).status).to.equal(
        403,
      );
      const me = await app.request('GET', '/api/v1/auth/me', { token: editor.accessToken });
      expect(me.body.workspaces.find((w: { id: string }) => w.id === id).role).to.equal('owner');
    });

    it('refuses a transfer to yourself (400), to a non-member (404), by an admin (403), bad body (422)', async () => {
      const { id, owner, members } = await team('admin');
      const admin = members[0] as User;
      const outsider = await registerUser(app, 'outsider');
      const snapshot = await roles(id);
      const transfer = (actor: User, body: unknown) =>
        app.request('POST', `${API}/${id}/transfer-ownership`, { token: actor.accessToken, body });

      const self = await transfer(owner, { userId: owner.id });
      expect(self.status).to.equal(400);
      expect(self.body.code).to.equal('invalid_transfer');
      expect((await transfer(owner, { userId: outsider.id })).status).to.equal(404);
      expect((await transfer(admin, { userId: admin.id })).status).to.equal(403);
      expect((await transfer(owner, { userId: 'not-a-uuid' })).status).to.equal(422);
      expect((await transfer(owner, {})).status).to.equal(422);
      expect(await roles(id)).to.deep.equal(snapshot);
    });
  });
});
