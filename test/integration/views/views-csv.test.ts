import { expect } from 'chai';
import { startMiniDb, type MiniDb, type TableBody } from '../minidb/minidb-fixture.js';
import { viewCaller, type ViewCaller } from './views-fixture.js';

/** RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end with CRLF');
  return records;
}

describe('views: CSV export', () => {
  let db: MiniDb;
  let owner: ViewCaller;
  let table: TableBody;

  before(async () => {
    db = await startMiniDb('views-csv');
    owner = viewCaller(db.app, db.owner, db.workspaceId);
    table = await db.as(db.owner).table({
      name: 'Cells',
      columns: [
        { name: 'N', type: 'integer' },
        { name: 'Text', type: 'text' },
        { name: 'Amount', type: 'decimal', options: { precision: 2 } },
        { name: 'Done', type: 'boolean' },
        { name: 'Tags', type: 'multiSelect', options: { choices: ['a', 'b'] } },
      ],
    });
    const tricky = [
      'plain',
      'comma, inside',
      'a "quoted" word',
      'two\nlines',
      '=SUM(A1:A9)',
      '+1 (555) 0100',
      '-2',
      '@cmd',
      '\tTabbed',
      '',
      null,
    ];
    const rows = tricky.map((Text, i) => ({
      fields: { N: i, Text, Amount: i === 6 ? -5.5 : i, Done: i % 2 === 0, Tags: i === 0 ? ['a', 'b'] : [] },
    }));
    const many = Array.from({ length: 2489 }, (_, i) => ({ fields: { N: 100 + i, Text: `row ${100 + i}` } }));
    const bulk = await db
      .as(db.owner)
      .post(`/api/v1/tables/${table.id}/rows/bulk`, { operation: 'create', rows: [...rows, ...many] });
    expect(bulk.status, JSON.stringify(bulk.body).slice(0, 500)).to.equal(200);
  });
  after(() => db.stop());

  it('quotes per RFC 4180 and defuses cells a spreadsheet would run as formulas', async () => {
    const view = await owner.view({
      name: 'Tricky, "cells"',
      source: { tableId: table.id },
      filter: { field: 'N', op: 'lt', value: 100 },
      sort: [{ field: 'N' }],
      visibleColumns: ['N', 'Text', 'Amount', 'Done', 'Tags'],
    });
    const res = await owner.get(`/api/v1/views/${view.id}/data?format=csv`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).to.contain('attachment');
    expect(res.headers.get('content-disposition')).to.contain('.csv');
    const text = res.body as string;
    expect(text.startsWith('N,Text,Amount,Done,Tags\r\n')).to.equal(true);
    expect(text).to.contain('"comma, inside"');
    expect(text).to.contain('"a ""quoted"" word"');
    expect(text).to.contain('"two\nlines"');
    expect(parseCsv(text)).to.deep.equal([
      ['N', 'Text', 'Amount', 'Done', 'Tags'],
      ['0', 'plain', '0', 'true', '["a","b"]'],
      ['1', 'comma, inside', '1', 'false', '[]'],
      ['2', 'a "quoted" word', '2', 'true', '[]'],
      ['3', 'two\nlines', '3', 'false', '[]'],
      ['4', "'=SUM(A1:A9)", '4', 'true', '[]'],
      ['5', "'+1 (555) 0100", '5', 'false', '[]'],
      ['6', "'-2", '-5.5', 'true', '[]'],
      ['7', "'@cmd", '7', 'false', '[]'],
      ['8', "'\tTabbed", '8', 'true', '[]'],
      ['9', '', '9', 'false', '[]'],
      ['10', '', '10', 'true', '[]'],
    ]);
  });

  it('streams every row over many pages, for Accept: text/csv too, with the extra filter and fields', async () => {
    const view = await owner.view({
      name: 'Everything',
      source: { tableId: table.id },
      sort: [{ field: 'N', direction: 'desc' }],
      visibleColumns: ['N', 'Text'],
    });
    const res = await owner.get(`/api/v1/views/${view.id}/data`, { accept: 'text/csv' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(res.headers.get('content-length'), 'streamed, not built in memory').to.equal(null);
    expect(res.headers.get('transfer-encoding')).to.equal('chunked');
    const records = parseCsv(res.body as string);
    expect(records).to.have.length(1 + 2500);
    expect(records[1]).to.deep.equal(['2588', 'row 2588']);
    expect(records[2500]).to.deep.equal(['0', 'plain']);
    const numbers = records.slice(1).map((r) => Number(r[0]));
    expect(new Set(numbers).size).to.equal(2500);

    const filter = encodeURIComponent(JSON.stringify({ field: 'N', op: 'between', value: [1, 3] }));
    const narrowed = await owner.get(
      `/api/v1/views/${view.id}/data?format=csv&fields=Text,N&filter=${filter}`,
    );
    expect(parseCsv(narrowed.body as string)).to.deep.equal([
      ['Text', 'N'],
      ['two\nlines', '3'],
      ['a "quoted" word', '2'],
      ['comma, inside', '1'],
    ]);
  });

  it('a broken view or a bad request answers a problem, not a CSV', async () => {
    const extra = await db
      .as(db.owner)
      .post(`/api/v1/tables/${table.id}/columns`, { name: 'Gone', type: 'text' });
    const view = await owner.view({
      name: 'Breaks',
      source: { tableId: table.id },
      visibleColumns: ['N', 'Gone'],
    });
    const bad = await owner.get(`/api/v1/views/${view.id}/data?format=csv&sort=Nope`);
    expect(bad.status).to.equal(422);
    expect(bad.headers.get('content-type')).to.contain('application/problem+json');
    expect(
      (await db.as(db.owner).delete(`/api/v1/tables/${table.id}/columns/${extra.body.id}`)).status,
    ).to.equal(204);
    const broken = await owner.get(`/api/v1/views/${view.id}/data?format=csv`);
    expect(broken.status).to.equal(409);
    expect(broken.body.code).to.equal('view_broken');
  });
});
