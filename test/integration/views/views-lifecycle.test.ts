import { expect } from 'chai';
import { startMiniDb, type MiniDb, type TableBody } from '../minidb/minidb-fixture.js';
import { fieldsOf, viewCaller, type ViewCaller } from './views-fixture.js';

/** Broken and healed views, versions and restore, duplicates and templates, over HTTP. */
describe('views: broken and healed, versions, duplicates, templates', () => {
  let db: MiniDb;
  let owner: ViewCaller;
  let tasks: TableBody;

  before(async () => {
    db = await startMiniDb('views-lifecycle');
    owner = viewCaller(db.app, db.owner, db.workspaceId);
    tasks = await db.as(db.owner).table({
      name: 'Tasks',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Status', type: 'singleSelect', options: { choices: ['Todo', 'Doing', 'Done'] } },
        { name: 'Due', type: 'date' },
        { name: 'Hours', type: 'integer' },
      ],
    });
    for (const [Title, Status, Due, Hours] of [
      ['Write', 'Todo', '2025-05-02', 3],
      ['Review', 'Doing', '2025-05-01', 2],
      ['Ship', 'Todo', null, 5],
      ['Celebrate', 'Done', '2025-06-01', 1],
    ] as const) {
      const res = await db
        .as(db.owner)
        .post(`/api/v1/tables/${tasks.id}/rows`, { fields: { Title, Status, Due, Hours } });
      expect(res.status).to.equal(201);
    }
  });
  after(() => db.stop());

  const columnId = (name: string) => tasks.columns.find((c) => c.name === name)!.id;
  const auditEntry = async (action: string, resourceId: string) =>
    (
      await db.app.dataplane.knex
        .withSchema(db.schema)
        .table('audit_logs')
        .where({ action, resource_id: resourceId })
        .orderBy('created_at', 'desc')
        .first('id')
    ).id as string;

  it('is broken (never a 500) once a column it uses is deleted, and fits again once the column is back', async () => {
    const view = await owner.view({
      name: 'Due soon',
      source: { tableId: tasks.id },
      filter: { field: 'Due', op: 'isNotEmpty' },
      sort: [{ field: 'Due' }],
      visibleColumns: ['Title', 'Due'],
    });
    expect(fieldsOf((await owner.data(view.id)).body.data).map((f) => f.Title)).to.deep.equal([
      'Review',
      'Write',
      'Celebrate',
    ]);
    const dropped = await db.as(db.owner).delete(`/api/v1/tables/${tasks.id}/columns/${columnId('Due')}`);
    expect(dropped.status).to.equal(204);

    const shown = await owner.get(`/api/v1/views/${view.id}`);
    expect(shown.status).to.equal(200);
    expect(shown.body.status).to.equal('broken');
    expect(shown.body.columns).to.deep.equal([]);
    expect(shown.body.problems).to.deep.include.members([
      { path: 'filter.field', message: 'unknown field "Due"' },
      { path: 'sort[0].field', message: 'unknown field "Due"' },
      { path: 'visibleColumns[1]', message: 'unknown field "Due"' },
    ]);
    const data = await owner.data(view.id);
    expect(data.status).to.equal(409);
    expect(data.headers.get('content-type')).to.contain('application/problem+json');
    expect(data.body.code).to.equal('view_broken');
    expect(data.body.problems).to.deep.include({ path: 'filter.field', message: 'unknown field "Due"' });
    const listed = await owner.get('/api/v1/views');
    expect(listed.body.data.find((v: { id: string }) => v.id === view.id).status).to.equal('broken');

    const revert = await db
      .as(db.owner)
      .post(
        `/api/v1/tables/${tasks.id}/schema/revert/${await auditEntry('column.delete', columnId('Due'))}`,
        {},
      );
    expect(revert.status, JSON.stringify(revert.body)).to.equal(200);
    expect((await owner.get(`/api/v1/views/${view.id}`)).body.status).to.equal('ok');
    expect(fieldsOf((await owner.data(view.id)).body.data).map((f) => f.Title)).to.deep.equal([
      'Review',
      'Write',
      'Celebrate',
    ]);
  });

  it('is broken while its table is archived, and fixed by a PUT that points it elsewhere', async () => {
    const other = await db
      .as(db.owner)
      .table({ name: 'Elsewhere', columns: [{ name: 'Title', type: 'text' }] });
    const view = await owner.view({
      name: 'Archived source',
      source: { tableId: other.id },
      visibleColumns: ['Title'],
    });
    expect((await db.as(db.owner).post(`/api/v1/tables/${other.id}/archive`)).status).to.equal(200);
    const broken = await owner.get(`/api/v1/views/${view.id}`);
    expect(broken.body.status).to.equal('broken');
    expect(broken.body.problems).to.deep.equal([
      { path: 'source.tableId', message: 'no such table in this workspace (deleted or archived)' },
    ]);
    expect((await owner.data(view.id)).status).to.equal(409);
    const fixed = await owner.put(`/api/v1/views/${view.id}`, {
      name: 'Archived source',
      source: { tableId: tasks.id },
      visibleColumns: ['Title'],
    });
    expect(fixed.status, JSON.stringify(fixed.body)).to.equal(200);
    expect(fixed.body).to.include({ status: 'ok', version: 2 });
    expect((await owner.data(view.id)).body.data).to.have.length(4);
  });

  it('keeps every change as a version, restores one as a new version, and audits each', async () => {
    const view = await owner.view({
      name: 'Versioned',
      source: { tableId: tasks.id },
      filter: { field: 'Status', op: 'eq', value: 'Todo' },
      visibleColumns: ['Title'],
      sort: [{ field: 'Title' }],
    });
    const v2 = await owner.put(`/api/v1/views/${view.id}`, {
      name: 'Versioned',
      source: { tableId: tasks.id },
      filter: { field: 'Status', op: 'eq', value: 'Done' },
      visibleColumns: ['Title'],
      version: 1,
    });
    expect(v2.status, JSON.stringify(v2.body)).to.equal(200);
    expect(v2.body.version).to.equal(2);
    const stale = await owner.put(`/api/v1/views/${view.id}`, {
      name: 'Stale',
      source: { tableId: tasks.id },
      version: 1,
    });
    expect(stale.status).to.equal(409);
    expect(stale.body.code).to.equal('version_conflict');
    expect(stale.body.current.version).to.equal(2);
    const same = await owner.put(`/api/v1/views/${view.id}`, {
      name: 'Versioned',
      source: { tableId: tasks.id },
      filter: { field: 'Status', op: 'eq', value: 'Done' },
      visibleColumns: ['Title'],
    });
    expect(same.body.version, 'an identical PUT changes nothing').to.equal(2);
    expect(fieldsOf((await owner.data(view.id)).body.data)).to.deep.equal([{ Title: 'Celebrate' }]);

    const versions = await owner.get(`/api/v1/views/${view.id}/versions?limit=1`);
    expect(versions.status).to.equal(200);
    expect(versions.body.data.map((v: { version: number }) => v.version)).to.deep.equal([1]);
    const next = await owner.get(
      `/api/v1/views/${view.id}/versions?limit=1&cursor=${versions.body.nextCursor}`,
    );
    expect(next.body.data[0]).to.include({ version: 2, actorId: db.owner.id, restoredFrom: null });
    expect(next.body.data[0].filter).to.deep.equal({ field: 'Status', op: 'eq', value: 'Done' });

    const restored = await owner.post(`/api/v1/views/${view.id}/versions/1/restore`);
    expect(restored.status, JSON.stringify(restored.body)).to.equal(200);
    expect(restored.body.version).to.equal(3);
    expect(restored.body.filter).to.deep.equal({ field: 'Status', op: 'eq', value: 'Todo' });
    expect(restored.body.sort).to.deep.equal([{ field: 'Title' }]);
    expect(fieldsOf((await owner.data(view.id)).body.data)).to.deep.equal([
      { Title: 'Ship' },
      { Title: 'Write' },
    ]);
    const all = await owner.get(`/api/v1/views/${view.id}/versions`);
    expect(
      all.body.data.map((v: { version: number; restoredFrom: number | null }) => [v.version, v.restoredFrom]),
    ).to.deep.equal([
      [1, null],
      [2, null],
      [3, 1],
    ]);
    expect((await owner.post(`/api/v1/views/${view.id}/versions/9/restore`)).status).to.equal(404);

    const audit = await owner.get(`/api/v1/audit-logs?resourceId=${view.id}`);
    expect(audit.status).to.equal(200);
    expect(audit.body.data.map((e: { action: string }) => e.action)).to.have.members([
      'view.create',
      'view.update',
      'view.restore',
    ]);
  });

  it('deletes a view with its versions; it is a 404 afterwards', async () => {
    const view = await owner.view({ name: 'Short-lived', source: { tableId: tasks.id } });
    expect((await owner.delete(`/api/v1/views/${view.id}`)).status).to.equal(204);
    expect((await owner.get(`/api/v1/views/${view.id}`)).status).to.equal(404);
    expect((await owner.data(view.id)).status).to.equal(404);
    const versions = await db.app.dataplane.knex
      .withSchema(db.schema)
      .table('view_versions')
      .where({ view_id: view.id });
    expect(versions).to.deep.equal([]);
  });

  it('duplicates a view into a new one at version 1 with the same data', async () => {
    const view = await owner.view({
      name: 'Original',
      source: { tableId: tasks.id },
      filter: { field: 'Hours', op: 'gte', value: 3 },
      visibleColumns: ['Title', 'Hours'],
      sort: [{ field: 'Hours', direction: 'desc' }],
    });
    const copy = await owner.post(`/api/v1/views/${view.id}/duplicate`, {});
    expect(copy.status, JSON.stringify(copy.body)).to.equal(201);
    expect(copy.body).to.include({ name: 'Original (copy)', version: 1, status: 'ok' });
    expect(copy.body.id).to.not.equal(view.id);
    expect(
      (await owner.data(copy.body.id)).body.data.map((r: { fields: unknown }) => r.fields),
    ).to.deep.equal([
      { Title: 'Ship', Hours: 5 },
      { Title: 'Write', Hours: 3 },
    ]);
    const named = await owner.post(`/api/v1/views/${view.id}/duplicate`, { name: 'Named copy' });
    expect(named.body.name).to.equal('Named copy');
  });

  it('lists the built-in templates and builds views from them around a column of the table', async () => {
    const list = await owner.get('/api/v1/view-templates');
    expect(list.status).to.equal(200);
    expect(
      list.body.data.filter((t: { builtIn: boolean }) => t.builtIn).map((t: { id: string }) => t.id),
    ).to.deep.equal(['kanban-by-single-select', 'calendar-by-date', 'grouped-summary']);
    const kanban = await owner.post('/api/v1/views/from-template', {
      templateId: 'kanban-by-single-select',
      source: { tableId: tasks.id },
    });
    expect(kanban.status, JSON.stringify(kanban.body)).to.equal(201);
    expect(kanban.body.name).to.equal('Kanban by single select');
    const lanes = await owner.data(kanban.body.id, { groups: 'only' });
    expect(lanes.body.groups.map((g: { key: unknown; count: number }) => [g.key, g.count])).to.deep.equal([
      [{ Status: 'Doing' }, 1],
      [{ Status: 'Done' }, 1],
      [{ Status: 'Todo' }, 2],
    ]);
    const calendar = await owner.post('/api/v1/views/from-template', {
      templateId: 'calendar-by-date',
      source: { tableId: tasks.id },
      name: 'Calendar',
    });
    expect(calendar.status, JSON.stringify(calendar.body)).to.equal(201);
    expect(fieldsOf((await owner.data(calendar.body.id)).body.data).map((f) => f.Title)).to.deep.equal([
      'Review',
      'Write',
      'Celebrate',
    ]);
    const summary = await owner.post('/api/v1/views/from-template', {
      templateId: 'grouped-summary',
      source: { tableId: tasks.id },
      column: 'Status',
    });
    expect(summary.status, JSON.stringify(summary.body)).to.equal(201);
    const sums = await owner.data(summary.body.id, { groups: 'only' });
    expect(sums.body.groups).to.deep.equal([
      { key: { Status: 'Doing' }, count: 1, aggregates: { 'Sum of Hours': 2 } },
      { key: { Status: 'Done' }, count: 1, aggregates: { 'Sum of Hours': 1 } },
      { key: { Status: 'Todo' }, count: 2, aggregates: { 'Sum of Hours': 8 } },
    ]);
    const plain = await db.as(db.owner).table({ name: 'Plain', columns: [{ name: 'Note', type: 'text' }] });
    const refused = await owner.post('/api/v1/views/from-template', {
      templateId: 'kanban-by-single-select',
      source: { tableId: plain.id },
    });
    expect(refused.status).to.equal(422);
    expect(refused.body.errors[0].path).to.equal('column');
  });

  it('saves a view as a template, applies it, and deletes it', async () => {
    const view = await owner.view({
      name: 'Heavy work',
      source: { tableId: tasks.id },
      filter: { field: 'Hours', op: 'gt', value: 2 },
      visibleColumns: ['Title'],
      sort: [{ field: 'Title' }],
    });
    const saved = await owner.post(`/api/v1/views/${view.id}/save-as-template`, {
      name: 'Heavy',
      description: 'over 2 h',
    });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(201);
    expect(saved.body).to.include({ name: 'Heavy', builtIn: false });
    expect(saved.body.definition).to.not.have.property('source');
    const applied = await owner.post('/api/v1/views/from-template', {
      templateId: saved.body.id,
      source: { tableId: tasks.id },
    });
    expect(applied.status, JSON.stringify(applied.body)).to.equal(201);
    expect(applied.body.name).to.equal('Heavy');
    expect(fieldsOf((await owner.data(applied.body.id)).body.data)).to.deep.equal([
      { Title: 'Ship' },
      { Title: 'Write' },
    ]);
    expect((await owner.get('/api/v1/view-templates')).body.data.map((t: { id: string }) => t.id)).to.include(
      saved.body.id,
    );
    expect((await owner.delete(`/api/v1/view-templates/${saved.body.id}`)).status).to.equal(204);
    const gone = await owner.post('/api/v1/views/from-template', {
      templateId: saved.body.id,
      source: { tableId: tasks.id },
    });
    expect(gone.status).to.equal(404);
  });

  it('writes one audit entry per mutation in its request, and announces changes after commit', async () => {
    const events: { type: string; workspaceId: string | null; payload: Record<string, unknown> }[] = [];
    const off = db.app.dataplane.bus.subscribe((e) => void events.push(e));
    let counter = 0;
    const call = async (method: string, path: string, body?: unknown) => {
      const requestId = `views-audit-${process.pid}-${counter++}`;
      const res = await db.app.request(method, path, {
        token: db.owner.accessToken,
        headers: { 'x-workspace-id': db.workspaceId, 'x-request-id': requestId },
        ...(body === undefined ? {} : { body }),
      });
      const entries = await db.app.dataplane.knex
        .withSchema(db.schema)
        .table('audit_logs')
        .where({ request_id: requestId })
        .select('action', 'resource_type', 'resource_id', 'actor_id');
      return { res, entries };
    };
    try {
      const created = await call('POST', '/api/v1/views', { name: 'Audited', source: { tableId: tasks.id } });
      expect(created.res.status).to.equal(201);
      const id = created.res.body.id as string;
      const steps = [
        created,
        await call('PUT', `/api/v1/views/${id}`, { name: 'Audited 2', source: { tableId: tasks.id } }),
        await call('POST', `/api/v1/views/${id}/versions/1/restore`),
        await call('POST', `/api/v1/views/${id}/refresh`),
        await call('POST', `/api/v1/views/${id}/duplicate`, {}),
        await call('POST', `/api/v1/views/${id}/save-as-template`, { name: 'T' }),
      ];
      const template = steps[5]!.res.body.id as string;
      steps.push(await call('DELETE', `/api/v1/view-templates/${template}`));
      steps.push(await call('DELETE', `/api/v1/views/${id}`));
      expect(steps.map((s) => s.res.status)).to.deep.equal([201, 200, 200, 200, 201, 201, 204, 204]);
      expect(steps.map((s) => s.entries.map((e: { action: string }) => e.action))).to.deep.equal([
        ['view.create'],
        ['view.update'],
        ['view.restore'],
        ['view.refresh'],
        ['view.create'],
        ['view_template.create'],
        ['view_template.delete'],
        ['view.delete'],
      ]);
      for (const step of steps) expect(step.entries[0].actor_id).to.equal(db.owner.id);
      const mine = events.filter((e) => e.type.startsWith('view.') && e.payload.viewId === id);
      expect(mine.map((e) => e.type)).to.deep.equal([
        'view.created',
        'view.updated',
        'view.updated',
        'view.deleted',
      ]);
      expect(mine.every((e) => e.workspaceId === db.workspaceId)).to.equal(true);
      const refused = await call('PUT', `/api/v1/views/${id}`, {
        name: 'Gone',
        source: { tableId: tasks.id },
      });
      expect(refused.res.status).to.equal(404);
      expect(refused.entries).to.deep.equal([]);
    } finally {
      off();
    }
  });
});
