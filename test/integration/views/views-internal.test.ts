import { expect } from 'chai';
import { startMiniDb, type MiniDb, type TableBody } from '../minidb/minidb-fixture.js';
import { fieldsOf, viewCaller, type ViewCaller } from './views-fixture.js';

/** Views over mini-DB tables, over HTTP against the real PostgreSQL. */
describe('views over mini-DB tables', () => {
  let db: MiniDb;
  let owner: ViewCaller;
  let companies: TableBody;
  let deals: TableBody;
  const company: Record<string, string> = {};

  before(async () => {
    db = await startMiniDb('views-owner');
    owner = viewCaller(db.app, db.owner, db.workspaceId);
    const rows = db.as(db.owner);
    companies = await rows.table({
      name: 'Companies',
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'Country', type: 'singleSelect', options: { choices: ['DE', 'FR', 'US'] } },
      ],
    });
    for (const [Name, Country] of [
      ['Acme', 'US'],
      ['Bauhaus', 'DE'],
      ['Citroën', 'FR'],
    ] as const) {
      const res = await rows.post(`/api/v1/tables/${companies.id}/rows`, { fields: { Name, Country } });
      company[Name] = res.body.id;
    }
    deals = await rows.table({
      name: 'Deals',
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Amount', type: 'decimal', options: { precision: 2 } },
        { name: 'Stage', type: 'singleSelect', options: { choices: ['Lead', 'Won', 'Lost'] } },
        { name: 'Company', type: 'link', options: { tableId: companies.id } },
        { name: 'Company name', type: 'text' },
        { name: 'Closes', type: 'date' },
        { name: 'Secret', type: 'text' },
      ],
    });
    for (const [Title, Amount, Stage, Company, Closes] of [
      ['Anvils', 100, 'Won', 'Acme', '2025-01-10'],
      ['Rockets', 250.5, 'Lead', 'Acme', '2025-03-01'],
      ['Chairs', 80, 'Won', 'Bauhaus', '2025-02-01'],
      ['Lamps', 40, 'Lost', 'Bauhaus', null],
      ['Cars', 900, 'Lead', 'Citroën', '2025-04-01'],
    ] as const) {
      const res = await rows.post(`/api/v1/tables/${deals.id}/rows`, {
        fields: {
          Title,
          Amount,
          Stage,
          Company: [company[Company]],
          'Company name': Company,
          Closes,
          Secret: `secret of ${Title}`,
        },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  });
  after(() => db.stop());

  it('saves a view with a formula, a filter, a sort and visible columns, and reads its rows in order', async () => {
    const view = await owner.view({
      name: 'Big deals',
      source: { tableId: deals.id },
      filter: { field: 'Amount', op: 'gte', value: 80 },
      sort: [{ field: 'Amount', direction: 'desc' }],
      computedColumns: [{ name: 'Gross', formula: 'ROUND({Amount} * 1.2, 2)' }],
      visibleColumns: ['Title', 'Amount', 'Gross'],
    });
    expect(view).to.include({ name: 'Big deals', version: 1, status: 'ok' });
    expect(view.columns).to.deep.equal([
      { name: 'Title', type: 'text' },
      { name: 'Amount', type: 'number' },
      { name: 'Gross', type: 'number' },
    ]);
    const res = await owner.data(view.id);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(fieldsOf(res.body.data)).to.deep.equal([
      { Title: 'Cars', Amount: 900, Gross: 1080 },
      { Title: 'Rockets', Amount: 250.5, Gross: 300.6 },
      { Title: 'Anvils', Amount: 100, Gross: 120 },
      { Title: 'Chairs', Amount: 80, Gross: 96 },
    ]);
    expect(res.body.nextCursor).to.equal(null);
    expect(res.body.data.every((r: { id: string }) => typeof r.id === 'string')).to.equal(true);
    expect(res.body).to.not.have.property('groups');
  });

  it('names fields by column id too, so a renamed column keeps the view working', async () => {
    const amount = deals.columns.find((c) => c.name === 'Amount')!.id;
    const title = deals.columns.find((c) => c.name === 'Title')!.id;
    const view = await owner.view({
      name: 'By id',
      source: { tableId: deals.id },
      filter: { field: amount, op: 'lt', value: 90 },
      sort: [{ field: title }],
      visibleColumns: [title, amount],
    });
    expect(fieldsOf((await owner.data(view.id)).body.data)).to.deep.equal([
      { Title: 'Chairs', Amount: 80 },
      { Title: 'Lamps', Amount: 40 },
    ]);
    const renamed = await db
      .as(db.owner)
      .put(`/api/v1/tables/${deals.id}/columns/${title}`, { name: 'Deal' });
    expect(renamed.status).to.equal(200);
    try {
      expect((await owner.get(`/api/v1/views/${view.id}`)).body.status).to.equal('ok');
      expect(fieldsOf((await owner.data(view.id)).body.data)).to.deep.equal([
        { Deal: 'Chairs', Amount: 80 },
        { Deal: 'Lamps', Amount: 40 },
      ]);
    } finally {
      await db.as(db.owner).put(`/api/v1/tables/${deals.id}/columns/${title}`, { name: 'Title' });
    }
  });

  it('joins another table along a link column, and on fields', async () => {
    const byLink = await owner.view({
      name: 'Deals with companies',
      source: { tableId: deals.id },
      joins: [{ link: 'Company', as: 'co' }],
      sort: [{ field: 'Title' }],
      visibleColumns: ['Title', 'co.Name', 'co.Country'],
    });
    expect(fieldsOf((await owner.data(byLink.id)).body.data)).to.deep.equal([
      { Title: 'Anvils', 'co.Name': 'Acme', 'co.Country': 'US' },
      { Title: 'Cars', 'co.Name': 'Citroën', 'co.Country': 'FR' },
      { Title: 'Chairs', 'co.Name': 'Bauhaus', 'co.Country': 'DE' },
      { Title: 'Lamps', 'co.Name': 'Bauhaus', 'co.Country': 'DE' },
      { Title: 'Rockets', 'co.Name': 'Acme', 'co.Country': 'US' },
    ]);
    const onFields = await owner.view({
      name: 'German deals',
      source: { tableId: deals.id },
      joins: [{ table: companies.id, as: 'c', on: { left: 'Company name', right: 'Name' } }],
      filter: { field: 'c.Country', op: 'eq', value: 'DE' },
      sort: [{ field: 'Amount', direction: 'desc' }],
      computedColumns: [{ name: 'Label', formula: "CONCAT({Title}, ' @ ', {c.Name})" }],
      visibleColumns: ['Label', 'Amount'],
    });
    expect(fieldsOf((await owner.data(onFields.id)).body.data)).to.deep.equal([
      { Label: 'Chairs @ Bauhaus', Amount: 80 },
      { Label: 'Lamps @ Bauhaus', Amount: 40 },
    ]);
  });

  it('shows link columns as the linked ids, like rows do', async () => {
    const view = await owner.view({
      name: 'Links',
      source: { tableId: deals.id },
      filter: { field: 'Title', op: 'eq', value: 'Cars' },
      visibleColumns: ['Title', 'Company'],
    });
    expect(view.columns).to.deep.equal([
      { name: 'Title', type: 'text' },
      { name: 'Company', type: 'json' },
    ]);
    expect(fieldsOf((await owner.data(view.id)).body.data)).to.deep.equal([
      { Title: 'Cars', Company: [company['Citroën']] },
    ]);
  });

  it('groups rows: rows ordered by group, with each group’s count and aggregates over the whole group', async () => {
    const view = await owner.view({
      name: 'Pipeline',
      source: { tableId: deals.id },
      sort: [{ field: 'Amount', direction: 'desc' }],
      visibleColumns: ['Stage', 'Title', 'Amount'],
      groupBy: { fields: ['Stage'], aggregates: [{ fn: 'sum', field: 'Amount', as: 'Total' }] },
    });
    const first = await owner.data(view.id, { limit: 3 });
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(fieldsOf(first.body.data)).to.deep.equal([
      { Stage: 'Lead', Title: 'Cars', Amount: 900 },
      { Stage: 'Lead', Title: 'Rockets', Amount: 250.5 },
      { Stage: 'Lost', Title: 'Lamps', Amount: 40 },
    ]);
    expect(first.body.groups).to.deep.equal([
      { key: { Stage: 'Lead' }, count: 2, aggregates: { Total: 1150.5 } },
      { key: { Stage: 'Lost' }, count: 1, aggregates: { Total: 40 } },
    ]);
    const second = await owner.data(view.id, { limit: 3, cursor: first.body.nextCursor });
    expect(fieldsOf(second.body.data)).to.deep.equal([
      { Stage: 'Won', Title: 'Anvils', Amount: 100 },
      { Stage: 'Won', Title: 'Chairs', Amount: 80 },
    ]);
    expect(second.body.groups).to.deep.equal([
      { key: { Stage: 'Won' }, count: 2, aggregates: { Total: 180 } },
    ]);
    expect(second.body.nextCursor).to.equal(null);

    const only = await owner.data(view.id, { groups: 'only', sort: '-Total' });
    expect(only.status, JSON.stringify(only.body)).to.equal(200);
    expect(only.body.data).to.deep.equal([]);
    expect(only.body.groups.map((g: { key: unknown }) => g.key)).to.deep.equal([
      { Stage: 'Lead' },
      { Stage: 'Won' },
      { Stage: 'Lost' },
    ]);
    const filtered = await owner.data(view.id, { filter: { field: 'Amount', op: 'gt', value: 90 } });
    expect(filtered.body.groups).to.deep.equal([
      { key: { Stage: 'Lead' }, count: 2, aggregates: { Total: 1150.5 } },
      { key: { Stage: 'Won' }, count: 1, aggregates: { Total: 100 } },
    ]);
  });

  it('takes extra filters (ANDed) and sorts (ahead of the view’s) and pages by cursor', async () => {
    const view = await owner.view({
      name: 'All deals',
      source: { tableId: deals.id },
      filter: { field: 'Amount', op: 'gt', value: 50 },
      sort: [{ field: 'Amount', direction: 'desc' }],
      visibleColumns: ['Title', 'Stage', 'Amount'],
    });
    const extra = await owner.data(view.id, {
      filter: { field: 'Stage', op: 'in', value: ['Won', 'Lead'] },
      sort: 'Stage',
      limit: 2,
    });
    expect(extra.status, JSON.stringify(extra.body)).to.equal(200);
    expect(fieldsOf(extra.body.data)).to.deep.equal([
      { Title: 'Cars', Stage: 'Lead', Amount: 900 },
      { Title: 'Rockets', Stage: 'Lead', Amount: 250.5 },
    ]);
    const all = await owner.allRows(view.id, {
      filter: { field: 'Stage', op: 'in', value: ['Won', 'Lead'] },
      sort: 'Stage',
      limit: 2,
    });
    expect(all.map((r) => r.fields.Title)).to.deep.equal(['Cars', 'Rockets', 'Anvils', 'Chairs']);
    const fields = await owner.data(view.id, { fields: 'Amount,Title', limit: 1 });
    expect(fields.body.data[0].fields).to.deep.equal({ Amount: 900, Title: 'Cars' });
    expect(Object.keys(fields.body.data[0].fields)).to.deep.equal(['Amount', 'Title']);
  });

  it('refuses bad extra input with 400 or 422 problems, never a 500', async () => {
    const view = await owner.view({
      name: 'Checked',
      source: { tableId: deals.id },
      visibleColumns: ['Title', 'Amount'],
    });
    const notJson = await owner.get(`/api/v1/views/${view.id}/data?filter=%7Bnope`);
    expect(notJson.status).to.equal(422);
    const wrongType = await owner.data(view.id, { filter: { field: 'Amount', op: 'gt', value: 'lots' } });
    expect(wrongType.status).to.equal(422);
    expect(wrongType.body.code).to.equal('validation_failed');
    expect(wrongType.body.errors[0].path).to.equal('filter.value');
    const hidden = await owner.data(view.id, { filter: { field: 'Secret', op: 'eq', value: 'x' } });
    const unknown = await owner.data(view.id, { filter: { field: 'Nope', op: 'eq', value: 'x' } });
    expect(hidden.status).to.equal(422);
    expect(hidden.body.errors).to.deep.equal([{ path: 'filter.field', message: 'unknown field "Secret"' }]);
    expect(unknown.body.errors).to.deep.equal([{ path: 'filter.field', message: 'unknown field "Nope"' }]);
    const sortHidden = await owner.data(view.id, { sort: '-Secret' });
    expect(sortHidden.body.errors).to.deep.equal([
      { path: 'sort[0].field', message: 'unknown field "Secret"' },
    ]);
    const cursor = await owner.data(view.id, { cursor: 'not-a-cursor' });
    expect(cursor.status).to.equal(400);
    expect(cursor.body.code).to.equal('invalid_cursor');
  });

  it('refuses a view that does not fit the schema with 422 and the paths of its problems', async () => {
    const res = await owner.post('/api/v1/views', {
      name: 'Wrong',
      source: { tableId: deals.id },
      filter: {
        and: [
          { field: 'Amount', op: 'eq', value: 1 },
          { field: 'Missing', op: 'eq', value: 1 },
        ],
      },
      sort: [{ field: 'Nope' }],
      computedColumns: [{ name: 'Bad', formula: '{Ghost} + 1' }],
      visibleColumns: ['Title', 'Phantom'],
    });
    expect(res.status).to.equal(422);
    expect(res.body.code).to.equal('validation_failed');
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).to.include.members([
      'filter.and[1].field',
      'sort[0].field',
      'computedColumns[0].formula',
      'visibleColumns[1]',
    ]);
    const table = await owner.post('/api/v1/views', {
      name: 'No table',
      source: { tableId: '01900000-0000-7000-8000-000000000000' },
    });
    expect(table.status).to.equal(422);
    expect(table.body.errors).to.deep.equal([
      { path: 'source.tableId', message: 'no such table in this workspace (deleted or archived)' },
    ]);
  });
});
