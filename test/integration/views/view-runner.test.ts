import { expect } from 'chai';
import { AppError } from '../../../dataplane/src/platform/errors.js';
import type { ViewRunner } from '../../../dataplane/src/services/view-apis/view-runner.port.js';
import { startMiniDb, type MiniDb, type TableBody } from '../minidb/minidb-fixture.js';
import { viewCaller, type ViewCaller } from './views-fixture.js';

/** What a rejected call throws, as the problem document would carry it. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string; body: unknown }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return {
      status: error.status,
      code: error.code,
      body: JSON.parse(JSON.stringify({ detail: error.message, ...error.extensions })),
    };
  }
  throw new Error('expected the call to be refused');
}

/** The same refusal with one name replaced by another: a hidden column must look like an unknown one. */
const renamed = (value: unknown, from: string, to: string): unknown =>
  JSON.parse(JSON.stringify(value).replaceAll(from, to));

describe('ViewRunner: saved views for the public API', () => {
  let db: MiniDb;
  let owner: ViewCaller;
  let runner: ViewRunner;
  let people: TableBody;
  let teams: TableBody;
  let viewId: string;
  const salaries = [914_213, 823_117, 771_349, 650_001, 512_777];
  const emails = salaries.map((s) => `person-${s}@hidden.example`);

  before(async () => {
    db = await startMiniDb('runner-owner');
    owner = viewCaller(db.app, db.owner, db.workspaceId);
    runner = db.app.dataplane.viewRunner;
    const rows = db.as(db.owner);
    teams = await rows.table({ name: 'Teams', columns: [{ name: 'Label', type: 'text' }] });
    const team = await rows.post(`/api/v1/tables/${teams.id}/rows`, { fields: { Label: 'Core' } });
    people = await rows.table({
      name: 'People',
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'Email', type: 'text' },
        { name: 'Salary', type: 'integer' },
        { name: 'Team', type: 'singleSelect', options: { choices: ['A', 'B'] } },
        { name: 'Squad', type: 'link', options: { tableId: teams.id } },
      ],
    });
    for (const [i, salary] of salaries.entries()) {
      const res = await rows.post(`/api/v1/tables/${people.id}/rows`, {
        fields: {
          Name: `P${i}`,
          Email: emails[i],
          Salary: salary,
          Team: i % 2 ? 'B' : 'A',
          Squad: [team.body.id],
        },
      });
      expect(res.status).to.equal(201);
    }
    viewId = (
      await owner.view({
        name: 'Public people',
        source: { tableId: people.id },
        joins: [{ link: 'Squad', as: 'sq' }],
        filter: { field: 'Salary', op: 'gt', value: 0 },
        sort: [{ field: 'Salary', direction: 'desc' }],
        computedColumns: [
          { name: 'Band', formula: 'IF({Salary} > 700000, "high", "normal")' },
          { name: 'Leak', formula: 'CONCAT({Email}, "!")' },
        ],
        visibleColumns: ['Name', 'Team', 'Band', 'sq.Label'],
      })
    ).id;
  });
  after(() => db.stop());

  const leaksNothing = (value: unknown) => {
    const text = JSON.stringify(value);
    for (const s of salaries) expect(text).to.not.contain(String(s));
    for (const e of emails) expect(text).to.not.contain(e);
    expect(text).to.not.contain('Email');
    expect(text).to.not.contain('Salary');
    expect(text).to.not.contain('Leak');
  };

  it('describes the view by its visible columns and the tables it reads', async () => {
    const described = await runner.describe(db.workspaceId, viewId);
    expect(described).to.deep.equal({
      version: 1,
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'Team', type: 'text' },
        { name: 'Band', type: 'text' },
        { name: 'sq.Label', type: 'text' },
      ],
      sourceTables: [people.id, teams.id],
    });
  });

  it('answers rows with visible columns only, in the view’s order, and sealed cursors', async () => {
    const rows: unknown[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await runner.runPublic(db.workspaceId, viewId, {
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      leaksNothing(page);
      if (page.nextCursor) leaksNothing(Buffer.from(page.nextCursor, 'base64url').toString('latin1'));
      rows.push(...page.data.map((r) => r.fields));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(rows).to.deep.equal([
      { Name: 'P0', Team: 'A', Band: 'high', 'sq.Label': 'Core' },
      { Name: 'P1', Team: 'B', Band: 'high', 'sq.Label': 'Core' },
      { Name: 'P2', Team: 'A', Band: 'high', 'sq.Label': 'Core' },
      { Name: 'P3', Team: 'B', Band: 'normal', 'sq.Label': 'Core' },
      { Name: 'P4', Team: 'A', Band: 'normal', 'sq.Label': 'Core' },
    ]);
  });

  it('takes filters, sorts and fields over visible columns', async () => {
    const page = await runner.runPublic(db.workspaceId, viewId, {
      filter: {
        and: [
          { field: 'Team', op: 'eq', value: 'A' },
          { field: 'Band', op: 'eq', value: 'high' },
        ],
      },
      sort: 'Name',
      fields: ['Name'],
      limit: 10,
    });
    expect(page.data.map((r) => r.fields)).to.deep.equal([{ Name: 'P0' }, { Name: 'P2' }]);
    const asText = await runner.runPublic(db.workspaceId, viewId, {
      filter: JSON.stringify({ field: 'Name', op: 'eq', value: 'P3' }),
      limit: 5000,
    });
    expect(asText.data.map((r) => r.fields.Name)).to.deep.equal(['P3']);
  });

  it('refuses a hidden column exactly like one that does not exist: filters, sorts, fields', async () => {
    const emailId = people.columns.find((c) => c.name === 'Email')!.id;
    const cases: [string, (name: string) => Parameters<ViewRunner['runPublic']>[2]][] = [
      ['filter', (name) => ({ filter: { field: name, op: 'eq', value: 'x' }, limit: 1 })],
      ['nested filter', (name) => ({ filter: { or: [{ not: { field: name, op: 'isEmpty' } }] }, limit: 1 })],
      ['sort', (name) => ({ sort: `-${name}`, limit: 1 })],
      ['fields', (name) => ({ fields: ['Name', name], limit: 1 })],
    ];
    for (const [what, query] of cases) {
      const unknown = await refusal(runner.runPublic(db.workspaceId, viewId, query('Nope')));
      expect(unknown.status, what).to.equal(422);
      for (const hidden of ['Email', 'Salary', 'Leak', '@id', '_lk0.target_id', emailId]) {
        const refused = await refusal(runner.runPublic(db.workspaceId, viewId, query(hidden)));
        expect(renamed(refused, hidden, 'Nope'), `${what} on ${hidden}`).to.deep.equal(unknown);
      }
    }
  });

  it('never names hidden columns when the view is broken (409 view_broken without problems)', async () => {
    const broken = await owner.view({
      name: 'Breaks',
      source: { tableId: people.id },
      filter: { field: 'Email', op: 'isNotEmpty' },
      visibleColumns: ['Name'],
    });
    const extra = await db
      .as(db.owner)
      .post(`/api/v1/tables/${people.id}/columns`, { name: 'Temp', type: 'text' });
    const temp = await owner.view({
      name: 'Temp',
      source: { tableId: people.id },
      visibleColumns: ['Name', 'Temp'],
    });
    expect(
      (await db.as(db.owner).delete(`/api/v1/tables/${people.id}/columns/${extra.body.id}`)).status,
    ).to.equal(204);
    const refused = await refusal(runner.runPublic(db.workspaceId, temp.id, { limit: 1 }));
    expect(refused.status).to.equal(409);
    expect(refused.code).to.equal('view_broken');
    expect(refused.body).to.not.have.property('problems');
    expect((await refusal(runner.describe(db.workspaceId, temp.id))).code).to.equal('view_broken');
    expect((await runner.runPublic(db.workspaceId, broken.id, { limit: 10 })).data).to.have.length(5);
  });

  it('refuses a view that groups by, or aggregates, a hidden column', async () => {
    const res = await owner.post('/api/v1/views', {
      name: 'Grouped by hidden',
      source: { tableId: people.id },
      visibleColumns: ['Name', 'Team'],
      groupBy: { fields: ['Salary'], aggregates: [{ fn: 'max', field: 'Email', as: 'top' }] },
    });
    expect(res.status).to.equal(422);
    expect(res.body.errors).to.deep.include.members([
      { path: 'groupBy.fields[0]', message: '"Salary" is not a visible column' },
      { path: 'groupBy.aggregates[0].field', message: '"Email" is not a visible column' },
    ]);
    const grouped = await owner.view({
      name: 'Grouped',
      source: { tableId: people.id },
      visibleColumns: ['Name', 'Team'],
      groupBy: { fields: ['Team'], aggregates: [{ fn: 'countDistinct', field: 'Name', as: 'people' }] },
    });
    const page = await runner.runPublic(db.workspaceId, grouped.id, { limit: 10 });
    leaksNothing(page);
    expect(page.groups).to.deep.equal([
      { key: { Team: 'A' }, count: 3, aggregates: { people: 3 } },
      { key: { Team: 'B' }, count: 2, aggregates: { people: 2 } },
    ]);
  });

  it('moves its data version when a table it reads changes, joins included, and only then', async () => {
    const before = await runner.dataVersion(db.workspaceId, viewId);
    expect(await runner.dataVersion(db.workspaceId, viewId)).to.equal(before);
    const row = (await db.as(db.owner).get(`/api/v1/tables/${people.id}/rows?limit=1`)).body.data[0];
    await db
      .as(db.owner)
      .patch(`/api/v1/tables/${people.id}/rows/${row.id}`, { fields: { Name: 'Renamed' } });
    const afterRow = await runner.dataVersion(db.workspaceId, viewId);
    expect(afterRow).to.not.equal(before);
    const team = (await db.as(db.owner).get(`/api/v1/tables/${teams.id}/rows`)).body.data[0];
    await db
      .as(db.owner)
      .patch(`/api/v1/tables/${teams.id}/rows/${team.id}`, { fields: { Label: 'Platform' } });
    const afterJoin = await runner.dataVersion(db.workspaceId, viewId);
    expect(afterJoin).to.not.equal(afterRow);
    expect(
      (await runner.runPublic(db.workspaceId, viewId, { limit: 1 })).data[0]?.fields['sq.Label'],
    ).to.equal('Platform');
  });

  it('answers 404 for a view of another workspace, an unknown view or workspace', async () => {
    const other = await db.app.request('POST', '/api/v1/workspaces', {
      token: db.owner.accessToken,
      body: { name: 'Other' },
    });
    expect((await refusal(runner.runPublic(other.body.id, viewId, { limit: 1 }))).status).to.equal(404);
    expect((await refusal(runner.runPublic(db.workspaceId, other.body.id, { limit: 1 }))).status).to.equal(
      404,
    );
    expect((await refusal(runner.describe('not-a-uuid', viewId))).status).to.equal(404);
  });
});
