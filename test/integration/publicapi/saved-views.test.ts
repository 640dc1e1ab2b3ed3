import { expect } from 'chai';
import { startMiniDb, type MiniDb, type User } from '../minidb/minidb-fixture.js';
import { viewCaller } from '../views/views-fixture.js';
import {
  PEOPLE,
  PEOPLE_COLUMNS,
  SECRET_SALARY,
  callPublic,
  namesOf,
  publish,
  uniqueSlug,
  viewOf,
} from './public-api-fixture.js';

/**
 * Public APIs over saved views as the views engine runs them: the view's own filter, sorts and
 * formula columns shape what the public sees; its rules decide who may publish it; deleting
 * it withdraws its API in the same transaction.
 */
describe('public APIs over saved views', () => {
  let db: MiniDb;
  let admin: User;
  let tableId: string;
  before(async () => {
    db = await startMiniDb('saved-views');
    admin = await db.member('saved-views-admin', 'admin');
    const table = await db.as(db.owner).table({ name: 'People', columns: PEOPLE_COLUMNS });
    tableId = table.id;
    const bulk = await db.as(db.owner).post(`/api/v1/tables/${tableId}/rows/bulk`, {
      operation: 'create',
      rows: PEOPLE.map((fields) => ({ fields })),
    });
    expect(bulk.status, JSON.stringify(bulk.body)).to.equal(200);
  });
  after(() => db.stop());

  const owner = () => viewCaller(db.app, db.owner, db.workspaceId);

  it("serves the view's own filter, sorts and formula columns, and nothing the view hides", async () => {
    const view = await owner().view({
      name: 'Seniors',
      source: { tableId },
      filter: { field: 'Age', op: 'gt', value: 40 },
      sort: [{ field: 'Age', direction: 'desc' }],
      computedColumns: [{ name: 'Label', formula: "CONCAT({Name}, ' of ', {City})" }],
      visibleColumns: ['Name', 'Label'],
    });
    const slug = uniqueSlug('seniors');
    await publish(db, view.id, { slug, auth: 'public' });
    const res = await callPublic(db.app, slug);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.data.map((r: { fields: unknown }) => r.fields)).to.deep.equal([
      { Name: 'Grace', Label: 'Grace of New York' },
      { Name: 'Linus', Label: 'Linus of Helsinki' },
    ]);
    // A caller's filter narrows the view's, never widens it; the hidden Age answers like an unknown column.
    const narrowed = await callPublic(db.app, slug, {
      query: { filter: JSON.stringify({ field: 'Label', op: 'contains', value: 'Helsinki' }) },
    });
    expect(namesOf(narrowed)).to.deep.equal(['Linus']);
    const hidden = await callPublic(db.app, slug, {
      query: { filter: JSON.stringify({ field: 'Age', op: 'lt', value: 200 }) },
    });
    expect([hidden.status, hidden.body.code]).to.deep.equal([422, 'validation_failed']);
    expect(JSON.stringify(res.body)).to.not.include(String(SECRET_SALARY));
  });

  it('deleting the view withdraws its API: the slug answers 404 at once and is free again', async () => {
    const view = await owner().view(viewOf(tableId, ['Name']));
    const slug = uniqueSlug('doomed');
    const { id: apiId } = await publish(db, view.id, { slug, auth: 'apiKey' });
    const deleted = await owner().delete(`/api/v1/views/${view.id}`);
    expect(deleted.status, JSON.stringify(deleted.body)).to.equal(204);
    expect((await callPublic(db.app, slug)).status).to.equal(404);
    const knex = db.app.dataplane.knex;
    expect(await knex('public_api_slugs').where({ slug })).to.deep.equal([]);
    expect(await knex.withSchema(db.schema).table('view_apis').where({ id: apiId })).to.deep.equal([]);
    expect(await knex.withSchema(db.schema).table('api_keys').where({ view_api_id: apiId })).to.deep.equal(
      [],
    );
    const audit = await knex
      .withSchema(db.schema)
      .table('audit_logs')
      .where({ resource_id: apiId, action: 'view_api.delete' });
    expect(audit).to.have.length(1);
    // Another view may take the slug at once.
    const next = await owner().view(viewOf(tableId, ['Name']));
    await publish(db, next.id, { slug, auth: 'public' });
    expect(namesOf(await callPublic(db.app, slug))).to.have.members(['Ada', 'Grace', 'Linus']);
  });

  it("publishing follows the view's own rules: 404 where the admin cannot see it, 403 where they cannot change it", async () => {
    const asAdmin = viewCaller(db.app, admin, db.workspaceId);
    const ownersOnly = await owner().view({
      ...viewOf(tableId, ['Name']),
      access: { read: { minRole: 'owner', members: [] }, edit: { minRole: 'owner', members: [] } },
    });
    const readOnly = await owner().view({
      ...viewOf(tableId, ['Name']),
      access: { read: { minRole: 'viewer', members: [] }, edit: { minRole: 'owner', members: [] } },
    });
    const body = { slug: uniqueSlug('ruled'), auth: 'public' };
    const unseen = await asAdmin.post(`/api/v1/views/${ownersOnly.id}/api`, body);
    expect(unseen.status, JSON.stringify(unseen.body)).to.equal(404);
    const unchangeable = await asAdmin.post(`/api/v1/views/${readOnly.id}/api`, body);
    expect(unchangeable.status, JSON.stringify(unchangeable.body)).to.equal(403);
    // The owner publishes it; the admin still may not manage the API or its keys.
    await publish(db, readOnly.id, { ...body, auth: 'apiKey' });
    for (const path of ['api', 'api/keys', 'api/analytics'])
      expect((await asAdmin.get(`/api/v1/views/${readOnly.id}/${path}`)).status, path).to.equal(403);
    const revoke = await asAdmin.delete(`/api/v1/views/${readOnly.id}/api`);
    expect(revoke.status).to.equal(403);
    expect((await callPublic(db.app, body.slug)).status).to.equal(401); // still published, key required
  });
});
