import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { purgeExpiredAuditEntries } from '../../../dataplane/src/services/workspaces/audit-retention.js';
import { registerUser, startTestApp, type TestApp, type TestResponse } from '../../support/test-app.js';

type User = Awaited<ReturnType<typeof registerUser>>;

const API = '/api/v1/workspaces';

interface AuditRow {
  id: string;
  workspace_id: string | null;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
  ip: string | null;
  created_at: Date;
}

describe('audit log', () => {
  let app: TestApp;
  let owner: User;
  let requestCounter = 0;

  before(async () => {
    app = await startTestApp();
    owner = await registerUser(app, 'owner');
  });
  after(() => app.stop());

  /** A request with its own X-Request-Id, so its audit entries can be found by it. */
  async function call(method: string, path: string, user: User, body?: unknown): Promise<TestResponse> {
    const requestId = `audit-${process.pid}-${requestCounter++}`;
    const res = await app.request(method, path, {
      token: user.accessToken,
      headers: { 'x-request-id': requestId },
      ...(body === undefined ? {} : { body }),
    });
    expect(res.headers.get('x-request-id')).to.equal(requestId);
    return res;
  }

  async function entriesOf(res: TestResponse): Promise<AuditRow[]> {
    return app.dataplane.knex('audit_logs').where({ request_id: res.headers.get('x-request-id') });
  }

  /** Exactly one entry, written by the request that made the change, from the caller's address. */
  async function onlyEntryOf(res: TestResponse, actor: User): Promise<AuditRow> {
    const rows = await entriesOf(res);
    expect(rows, JSON.stringify(rows)).to.have.length(1);
    const row = rows[0] as AuditRow;
    expect(row.actor_id).to.equal(actor.id);
    expect(row.request_id).to.equal(res.headers.get('x-request-id'));
    expect(row.ip).to.match(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    return row;
  }

  async function createWorkspace(name = 'Audited') {
    const res = await call('POST', API, owner, { name });
    expect(res.status).to.equal(201);
    return { id: res.body.id as string, res };
  }

  async function join(workspaceId: string, role: 'admin' | 'editor' | 'viewer') {
    const user = await registerUser(app, role);
    const inv = await call('POST', `${API}/${workspaceId}/invite`, owner, { email: user.email, role });
    expect(inv.status).to.equal(201);
    const acc = await call('POST', `/api/v1/invitations/${inv.body.token}/accept`, user);
    expect(acc.status).to.equal(200);
    return { user, inv, acc };
  }

  describe('every mutation writes one entry in its request', () => {
    it('workspace create, update and delete', async () => {
      const { id, res } = await createWorkspace('Audit me');
      const created = await onlyEntryOf(res, owner);
      expect(created).to.include({
        workspace_id: id,
        action: 'workspace.create',
        resource_type: 'workspace',
        resource_id: id,
        before: null,
      });
      expect(created.after).to.include({ id, name: 'Audit me' });

      const put = await call('PUT', `${API}/${id}`, owner, {
        name: 'Audited now',
        settings: { auditRetentionDays: 9 },
      });
      expect(put.status).to.equal(200);
      const updated = await onlyEntryOf(put, owner);
      expect(updated).to.include({ action: 'workspace.update', resource_type: 'workspace', resource_id: id });
      expect(updated.before).to.deep.include({ name: 'Audit me' });
      expect(updated.after).to.deep.include({ name: 'Audited now' });
      expect((updated.after?.settings as { auditRetentionDays: number }).auditRetentionDays).to.equal(9);

      const del = await call('DELETE', `${API}/${id}`, owner);
      expect(del.status).to.equal(204);
      const deleted = await onlyEntryOf(del, owner);
      expect(deleted).to.include({ action: 'workspace.delete', resource_id: id, after: null });
      expect(deleted.before).to.include({ id, name: 'Audited now' });
    });

    it('invite, accept, role change, remove, leave and transfer', async () => {
      const { id } = await createWorkspace();
      const { user: editor, inv, acc } = await join(id, 'editor');

      const invited = await onlyEntryOf(inv, owner);
      expect(invited).to.include({
        workspace_id: id,
        action: 'invitation.create',
        resource_type: 'invitation',
        resource_id: inv.body.invitation.id,
      });
      expect(invited.after).to.include({ email: editor.email, role: 'editor' });

      const accepted = await onlyEntryOf(acc, editor);
      expect(accepted).to.include({
        action: 'invitation.accept',
        resource_type: 'member',
        resource_id: editor.id,
      });
      expect(accepted.after).to.deep.equal({ role: 'editor' });

      const patch = await call('PATCH', `${API}/${id}/members/${editor.id}`, owner, { role: 'viewer' });
      expect(patch.status).to.equal(200);
      const changed = await onlyEntryOf(patch, owner);
      expect(changed).to.include({
        action: 'member.role_change',
        resource_type: 'member',
        resource_id: editor.id,
      });
      expect(changed.before).to.deep.equal({ role: 'editor' });
      expect(changed.after).to.deep.equal({ role: 'viewer' });

      const transfer = await call('POST', `${API}/${id}/transfer-ownership`, owner, { userId: editor.id });
      expect(transfer.status).to.equal(200);
      const transferred = await onlyEntryOf(transfer, owner);
      expect(transferred).to.include({
        action: 'workspace.transfer_ownership',
        resource_type: 'workspace',
        resource_id: id,
      });
      expect(transferred.before).to.deep.include({ owner: owner.id });
      expect(transferred.after).to.deep.include({ owner: editor.id });

      // The former owner is an admin now and may still invite a viewer.
      const { user: viewer } = await join(id, 'viewer');
      const remove = await call('DELETE', `${API}/${id}/members/${viewer.id}`, editor);
      expect(remove.status).to.equal(204);
      const removed = await onlyEntryOf(remove, editor);
      expect(removed).to.include({
        action: 'member.remove',
        resource_type: 'member',
        resource_id: viewer.id,
      });
      expect(removed.before).to.deep.equal({ role: 'viewer' });

      const leave = await call('POST', `${API}/${id}/leave`, owner);
      expect(leave.status).to.equal(204);
      const left = await onlyEntryOf(leave, owner);
      expect(left).to.include({ action: 'member.leave', resource_id: owner.id });
      expect(left.before).to.deep.equal({ role: 'admin' });
    });

    it('revoke and decline', async () => {
      const { id } = await createWorkspace();
      const invitee = await registerUser(app, 'invitee');
      const first = await call('POST', `${API}/${id}/invite`, owner, { email: 'someone@example.test' });
      const revoke = await call('DELETE', `${API}/${id}/invitations/${first.body.invitation.id}`, owner);
      expect(revoke.status).to.equal(204);
      const revoked = await onlyEntryOf(revoke, owner);
      expect(revoked).to.include({ action: 'invitation.revoke', resource_id: first.body.invitation.id });
      expect(revoked.before).to.include({ status: 'pending' });

      const second = await call('POST', `${API}/${id}/invite`, owner, { email: invitee.email });
      const decline = await call('POST', `/api/v1/invitations/${second.body.token}/decline`, invitee);
      expect(decline.status).to.equal(204);
      const declined = await onlyEntryOf(decline, invitee);
      expect(declined).to.include({ action: 'invitation.decline', resource_id: second.body.invitation.id });
    });

    it('a generated request id is the one recorded', async () => {
      const res = await app.request('POST', API, {
        token: owner.accessToken,
        body: { name: 'Generated id' },
      });
      expect(res.status).to.equal(201);
      const requestId = res.headers.get('x-request-id');
      expect(requestId).to.match(/^[0-9a-f-]{36}$/);
      const rows = await app.dataplane.knex('audit_logs').where({ request_id: requestId });
      expect(rows).to.have.length(1);
      expect(rows[0].action).to.equal('workspace.create');
    });
  });

  describe('failed mutations', () => {
    it('a refused change (409, 403, 404) writes no entry and changes nothing', async () => {
      const { id } = await createWorkspace();
      const { user: admin } = await join(id, 'admin');
      const members = () =>
        app.dataplane.knex('workspace_members').where({ workspace_id: id }).orderBy('user_id');
      const before = await members();

      const attempts = [
        await call('PATCH', `${API}/${id}/members/${owner.id}`, owner, { role: 'viewer' }),
        await call('DELETE', `${API}/${id}/members/${owner.id}`, owner),
        await call('POST', `${API}/${id}/leave`, owner),
        await call('PATCH', `${API}/${id}/members/${admin.id}`, admin, { role: 'owner' }),
        await call('DELETE', `${API}/${id}/members/${owner.id}`, admin),
        await call('POST', `${API}/${id}/invite`, owner, { email: admin.email }),
        await call('DELETE', `${API}/${id}`, admin),
        await call('PATCH', `${API}/${id}/members/${randomUUID()}`, owner, { role: 'viewer' }),
      ];
      expect(attempts.map((r) => r.status)).to.deep.equal([409, 409, 409, 403, 403, 409, 403, 404]);
      expect(attempts[0]?.body.code).to.equal('last_owner');
      for (const res of attempts) expect(await entriesOf(res)).to.deep.equal([]);
      expect(await members()).to.deep.equal(before);
      expect(
        await app.dataplane.knex('invitations').where({ workspace_id: id, status: 'pending' }),
      ).to.have.length(0);
    });

    it('the entry and the change share one transaction: a failing audit write undoes the change', async () => {
      const { id } = await createWorkspace();
      const { user: editor } = await join(id, 'editor');
      const constraint = `no_role_change_${process.pid}`;
      await app.dataplane.knex.raw(
        `ALTER TABLE audit_logs ADD CONSTRAINT ${constraint} CHECK (action <> 'member.role_change') NOT VALID`,
      );
      try {
        const res = await call('PATCH', `${API}/${id}/members/${editor.id}`, owner, { role: 'viewer' });
        expect(res.status).to.equal(500);
      } finally {
        await app.dataplane.knex.raw(`ALTER TABLE audit_logs DROP CONSTRAINT ${constraint}`);
      }
      const row = await app.dataplane
        .knex('workspace_members')
        .where({ workspace_id: id, user_id: editor.id })
        .first();
      expect(row.role).to.equal('editor');
    });
  });

  describe('retention', () => {
    const DAY = 86_400_000;

    it('purges entries older than each workspace’s auditRetentionDays, in both schemas, and nothing else', async () => {
      const knex = app.dataplane.knex;
      const short = await createWorkspace('Short memory');
      const long = await createWorkspace('Long memory');
      const put = await call('PUT', `${API}/${short.id}`, owner, { settings: { auditRetentionDays: 1 } });
      expect(put.status).to.equal(200);
      const shortSchema: string = (await knex('workspaces').where({ id: short.id }).first()).schema_name;
      const longSchema: string = (await knex('workspaces').where({ id: long.id }).first()).schema_name;

      const now = new Date();
      const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
      const entry = (workspaceId: string, daysAgo: number) => ({
        id: randomUUID(),
        workspace_id: workspaceId,
        actor_id: owner.id,
        action: 'test.entry',
        resource_type: 'test',
        resource_id: null,
        created_at: at(daysAgo),
      });
      // Control schema: the short workspace's existing entries become 2 days old, plus fresh ones.
      await knex('audit_logs')
        .where({ workspace_id: short.id })
        .update({ created_at: at(2) });
      const shortOld = await knex('audit_logs').where({ workspace_id: short.id }).pluck('id');
      expect(shortOld.length).to.be.at.least(2);
      const shortFresh = entry(short.id, 0.5);
      const longRecent = entry(long.id, 2);
      const longAncient = entry(long.id, 400);
      await knex('audit_logs').insert([shortFresh, longRecent, longAncient]);
      // Workspace schemas.
      const wsShortOld = entry(short.id, 3);
      const wsShortFresh = entry(short.id, 0);
      const wsLongRecent = entry(long.id, 30);
      await knex.withSchema(shortSchema).table('audit_logs').insert([wsShortOld, wsShortFresh]);
      await knex.withSchema(longSchema).table('audit_logs').insert([wsLongRecent]);

      const controlBefore = await knex('audit_logs').count<{ count: number }[]>('* as count');
      const removed = await purgeExpiredAuditEntries(knex, now);
      expect(removed).to.equal(shortOld.length + 1 + 1);

      expect(await knex('audit_logs').whereIn('id', shortOld)).to.deep.equal([]);
      expect(await knex('audit_logs').where({ id: longAncient.id })).to.deep.equal([]);
      const survivors = await knex('audit_logs').whereIn('id', [shortFresh.id, longRecent.id]).pluck('id');
      expect(survivors).to.have.members([shortFresh.id, longRecent.id]);
      const controlAfter = await knex('audit_logs').count<{ count: number }[]>('* as count');
      expect(controlAfter[0]?.count).to.equal((controlBefore[0]?.count ?? 0) - shortOld.length - 1);
      expect(await knex.withSchema(shortSchema).table('audit_logs').pluck('id')).to.deep.equal([
        wsShortFresh.id,
      ]);
      expect(await knex.withSchema(longSchema).table('audit_logs').pluck('id')).to.deep.equal([
        wsLongRecent.id,
      ]);

      // Idempotent: nothing more to purge.
      expect(await purgeExpiredAuditEntries(knex, now)).to.equal(0);
    });
  });
});
