import { expect } from 'chai';
import { registerUser } from '../../support/test-app.js';
import { physicalTable, startMiniDb, type MiniDb, type TableBody } from './minidb-fixture.js';

describe('mini-DB: rows over HTTP (real PostgreSQL)', () => {
  let db: MiniDb;
  let table: TableBody;
  let rowsPath: string;
  before(async () => {
    db = await startMiniDb();
    table = await db.as(db.owner).table({
      name: 'Everything',
      columns: [
        { name: 'Text', type: 'text' },
        { name: 'Long', type: 'longText' },
        { name: 'Int', type: 'integer' },
        { name: 'Dec', type: 'decimal', options: { precision: 3 } },
        { name: 'Bool', type: 'boolean' },
        { name: 'Day', type: 'date' },
        { name: 'At', type: 'dateTime' },
        { name: 'One', type: 'singleSelect', options: { choices: ['a', 'b', 'ü'] } },
        { name: 'Many', type: 'multiSelect', options: { choices: ['x', 'y', 'z'] } },
        { name: 'Who', type: 'user' },
        { name: 'Nr', type: 'autoNumber' },
        { name: 'Double', type: 'formula', options: { formula: '{Int} * 2' } },
      ],
    });
    rowsPath = `/api/v1/tables/${table.id}/rows`;
  });
  after(() => db.stop());

  const auditCount = async (action?: string) =>
    Number(
      (
        await db.app.dataplane
          .knex(`${db.schema}.audit_logs`)
          .where({ parent_id: table.id, resource_type: 'row', ...(action ? { action } : {}) })
          .count<{ count: string }[]>('* as count')
      )[0]?.count,
    );
  const rowCount = async (tableId = table.id) =>
    Number(
      (
        await db.app.dataplane
          .knex(`${db.schema}.${physicalTable(tableId)}`)
          .count<{ count: string }[]>('* as count')
      )[0]?.count,
    );

  it('round-trips every column type: unicode, nulls and extremes, through create, get and list', async () => {
    const owner = db.as(db.owner);
    const values = [
      {
        Text: 'Zoë 日本 🚀 "quotes" \\ back',
        Long: 'line 1\nline 2',
        Int: Number.MAX_SAFE_INTEGER,
        Dec: 12345.678,
        Bool: true,
        Day: '2024-02-29',
        At: '2024-03-15T10:20:30.123Z',
        One: 'ü',
        Many: ['z', 'x'],
        Who: db.owner.id,
      },
      {
        Text: null,
        Long: null,
        Int: -Number.MAX_SAFE_INTEGER,
        Dec: -0.001,
        Bool: false,
        Day: '0001-01-01',
        At: '1970-01-01T00:00:00.000Z',
        One: null,
        Many: [],
        Who: null,
      },
    ];
    for (const fields of values) {
      const created = await owner.post(rowsPath, { fields });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body.version).to.equal(1);
      const fetched = await owner.get(`${rowsPath}/${created.body.id}`);
      expect(fetched.status).to.equal(200);
      for (const [name, value] of Object.entries(fields))
        expect(fetched.body.fields[name], name).to.deep.equal(value);
      expect(created.body.fields).to.deep.equal(fetched.body.fields);
      expect(fetched.body.fields.Double).to.equal(fields.Int * 2);
      expect(fetched.body.fields.Nr).to.be.a('number');
    }
    const list = await owner.get(`${rowsPath}?sort=Nr`);
    expect(list.body.data.slice(0, 2).map((r: { fields: { Text: unknown } }) => r.fields.Text)).to.deep.equal(
      [values[0]!.Text, null],
    );
  });

  it('refuses bad values with 422 naming each field, and writes nothing (no row, no audit entry)', async () => {
    const owner = db.as(db.owner);
    const [rows, audits] = [await rowCount(), await auditCount()];
    const res = await owner.post(rowsPath, {
      fields: { Int: 1.5, Day: '2023-02-29', One: 'nope', Many: ['x', 'x'], Bool: 'yes', Nope: 1, Nr: 5 },
    });
    expect(res.status).to.equal(422);
    const fields = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(fields).to.deep.equal(
      [
        'fields.Bool',
        'fields.Day',
        'fields.Int',
        'fields.Many',
        'fields.Nope',
        'fields.Nr',
        'fields.One',
      ].sort(),
    );
    expect([await rowCount(), await auditCount()]).to.deep.equal([rows, audits]);
  });

  it('filters, sorts, searches and projects through the query string', async () => {
    const owner = db.as(db.owner);
    const t = await owner.table({
      name: 'People',
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'Age', type: 'integer' },
      ],
    });
    const path = `/api/v1/tables/${t.id}/rows`;
    for (const [Name, Age] of [
      ['Ann', 31],
      ['Bob', 25],
      ['Cid', 40],
      ['Annabel', 19],
    ] as const)
      await owner.post(path, { fields: { Name, Age } });
    const filter = encodeURIComponent(JSON.stringify({ field: 'Age', op: 'gte', value: 25 }));
    const res = await owner.get(`${path}?filter=${filter}&sort=-Age&fields=Name`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.data.map((r: { fields: object }) => r.fields)).to.deep.equal([
      { Name: 'Cid' },
      { Name: 'Ann' },
      { Name: 'Bob' },
    ]);
    const byId = encodeURIComponent(JSON.stringify({ field: t.columns[1]!.id, op: 'lt', value: 20 }));
    const young = await owner.get(`${path}?filter=${byId}&fieldKey=id`);
    expect(
      young.body.data.map((r: { fields: Record<string, unknown> }) => r.fields[t.columns[0]!.id]),
    ).to.deep.equal(['Annabel']);
    const search = await owner.get(`${path}?search=ann&sort=Name`);
    expect(search.body.data.map((r: { fields: { Name: string } }) => r.fields.Name)).to.deep.equal([
      'Ann',
      'Annabel',
    ]);
    const bad = await owner.get(
      `${path}?filter=${encodeURIComponent('{"field":"Age","op":"gte","value":"x"}')}`,
    );
    expect(bad.status).to.equal(422);
    expect(JSON.stringify(bad.body.errors)).to.include('filter');
    expect((await owner.get(`${path}?filter=not-json`)).status).to.equal(422);

    const exact = await owner.get(`${path}?filter=${filter}&count=exact&limit=1`);
    expect(exact.body).to.include({ count: 3, countKind: 'exact' });
    expect(exact.body.nextCursor).to.be.a('string');
    const estimate = await owner.get(`${path}?count=estimate`);
    expect(estimate.body.countKind).to.equal('estimate');
    expect(estimate.body.count).to.be.a('number');
  });

  it('versions rows: 50 concurrent writers of one version, one wins, 49 get 409 with the current row', async () => {
    const owner = db.as(db.owner);
    const created = await owner.post(rowsPath, { fields: { Text: 'contended' } });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        owner.patch(`${rowsPath}/${created.body.id}`, { fields: { Text: `writer ${i}` }, version: 1 }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    const losers = results.filter((r) => r.status === 409);
    expect(winners).to.have.length(1);
    expect(losers).to.have.length(49);
    for (const loser of losers) {
      expect(loser.body.code).to.equal('version_conflict');
      expect(loser.body.current.version).to.equal(2);
    }
    const final = await owner.get(`${rowsPath}/${created.body.id}`);
    expect(final.body.version).to.equal(2);
    expect(final.body.fields.Text).to.equal(winners[0]!.body.fields.Text);
    const updates = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ resource_id: created.body.id, action: 'row.update' });
    expect(updates).to.have.length(1);
  });

  it('takes the version from If-Match too, and deletes with a version check', async () => {
    const owner = db.as(db.owner);
    const created = await owner.post(rowsPath, { fields: { Text: 'v1' } });
    const stale = await owner.patch(
      `${rowsPath}/${created.body.id}`,
      { fields: { Text: 'x' } },
      { 'if-match': '"7"' },
    );
    expect(stale.status).to.equal(409);
    const fresh = await owner.patch(
      `${rowsPath}/${created.body.id}`,
      { fields: { Text: 'v2' } },
      { 'if-match': '"1"' },
    );
    expect(fresh.body.version).to.equal(2);
    expect((await owner.delete(`${rowsPath}/${created.body.id}?version=1`)).status).to.equal(409);
    expect((await owner.delete(`${rowsPath}/${created.body.id}?version=2`)).status).to.equal(204);
    expect((await owner.get(`${rowsPath}/${created.body.id}`)).status).to.equal(404);
  });

  it('bulk writes are all or nothing, with per-row errors', async () => {
    const owner = db.as(db.owner);
    const [rows, audits] = [await rowCount(), await auditCount()];
    const refused = await owner.post(`${rowsPath}/bulk`, {
      operation: 'create',
      rows: [
        { fields: { Int: 1 } },
        { fields: { Int: 'two' } },
        { fields: { Int: 3 } },
        { fields: { Day: 'x' } },
      ],
    });
    expect(refused.status).to.equal(422);
    expect((refused.body.errors as { index: number }[]).map((e) => e.index)).to.deep.equal([1, 3]);
    expect([await rowCount(), await auditCount()]).to.deep.equal([rows, audits]);

    const created = await owner.post(`${rowsPath}/bulk`, {
      operation: 'create',
      rows: Array.from({ length: 2500 }, (_, i) => ({ fields: { Int: i, Text: `bulk ${i}` } })),
    });
    expect(created.status).to.equal(200);
    expect(created.body.data).to.have.length(2500);
    expect(await rowCount()).to.equal(rows + 2500);
    expect(await auditCount()).to.equal(audits + 2500);
    const tricky = 'q"uote\\ {brace} ünï ✓ NULL';
    const odd = await owner.post(`${rowsPath}/bulk`, {
      operation: 'create',
      rows: Array.from({ length: 60 }, (_, i) => ({
        fields: { Text: i === 7 ? tricky : null, Many: ['x'] },
      })),
    });
    expect(odd.body.data[7].fields).to.include({ Text: tricky });
    const [entry] = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ resource_id: odd.body.data[7].id, action: 'row.create' });
    expect(entry.after.fields[table.columns[0]!.id]).to.equal(tricky);
    expect(entry.after.fields[table.columns[8]!.id]).to.deep.equal(['x']);
    expect(entry.parent_id).to.equal(table.id);
    await owner.post(`${rowsPath}/bulk`, {
      operation: 'delete',
      rows: (odd.body.data as { id: string }[]).map((r) => ({ id: r.id })),
    });

    const [a, b] = created.body.data as { id: string }[];
    const conflict = await owner.post(`${rowsPath}/bulk`, {
      operation: 'update',
      rows: [
        { id: a!.id, fields: { Text: 'changed' }, version: 1 },
        { id: b!.id, fields: { Text: 'changed' }, version: 9 },
      ],
    });
    expect(conflict.status).to.equal(422);
    expect(conflict.body.errors[0]).to.include({ index: 1, code: 'version_conflict' });
    expect((await owner.get(`${rowsPath}/${a!.id}`)).body.fields.Text).to.equal('bulk 0');

    const deleted = await owner.post(`${rowsPath}/bulk`, {
      operation: 'delete',
      rows: (created.body.data as { id: string }[]).map((r) => ({ id: r.id })),
    });
    expect(deleted.status).to.equal(200);
    expect(await rowCount()).to.equal(rows);
  });

  it('upserts on a unique key column', async () => {
    const owner = db.as(db.owner);
    const t = await owner.table({
      name: 'Stock',
      columns: [
        { name: 'Sku', type: 'text', unique: true },
        { name: 'Qty', type: 'integer' },
      ],
    });
    const path = `/api/v1/tables/${t.id}/rows/bulk`;
    await owner.post(path, { operation: 'create', rows: [{ fields: { Sku: 'A', Qty: 1 } }] });
    const upserted = await owner.post(path, {
      operation: 'upsert',
      key: 'Sku',
      rows: [{ fields: { Sku: 'A', Qty: 5 } }, { fields: { Sku: 'B', Qty: 2 } }],
    });
    expect(upserted.status, JSON.stringify(upserted.body)).to.equal(200);
    const list = await owner.get(`/api/v1/tables/${t.id}/rows?sort=Sku`);
    expect(
      list.body.data.map((r: { fields: object; version: number }) => [r.fields, r.version]),
    ).to.deep.equal([
      [{ Sku: 'A', Qty: 5 }, 2],
      [{ Sku: 'B', Qty: 2 }, 1],
    ]);
    const badCreate = await owner.post(path, {
      operation: 'upsert',
      key: 'Sku',
      rows: [{ fields: { Sku: 'A', Qty: 6 } }, { fields: { Sku: 'C', Qty: 'many' } }],
    });
    expect(badCreate.status).to.equal(422);
    expect(badCreate.body.errors).to.have.length(1);
    expect(badCreate.body.errors[0]).to.include({ path: 'rows[1].Qty', index: 1, code: 'invalid_value' });
    const after = await owner.get(`/api/v1/tables/${t.id}/rows?sort=Sku`);
    expect(after.body.data[0].fields.Qty).to.equal(5); // the update of row 0 was rolled back too
    const notUnique = await owner.post(path, {
      operation: 'upsert',
      key: 'Qty',
      rows: [{ fields: { Qty: 1 } }],
    });
    expect(notUnique.status).to.equal(422);
  });

  it('pages 100k rows by keyset cursor, each exactly once, while rows are being inserted', async function () {
    this.timeout(120_000);
    const owner = db.as(db.owner);
    const t = await owner.table({
      name: 'Big',
      columns: [{ name: 'N', type: 'decimal', options: { precision: 4 } }],
    });
    const knex = db.app.dataplane.knex;
    const column = `c_${t.columns[0]!.id.replaceAll('-', '')}`;
    await knex.raw(
      'INSERT INTO ??.?? (id, ??) SELECT gen_random_uuid(), g FROM generate_series(1, 100000) g',
      [db.schema, physicalTable(t.id), column],
    );
    const seen = new Map<number, number>();
    let cursor: string | null = null;
    let inserted = 0;
    let pages = 0;
    do {
      const page: { status: number; body: { data: { fields: { N: number } }[]; nextCursor: string | null } } =
        await owner.get(`/api/v1/tables/${t.id}/rows?limit=1000&sort=N${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).to.equal(200);
      for (const row of page.body.data) seen.set(row.fields.N, (seen.get(row.fields.N) ?? 0) + 1);
      cursor = page.body.nextCursor;
      // Concurrent writers add rows in the middle and at both ends of the order.
      inserted++;
      const writes = [-inserted, 50_000 + inserted / 1000, 200_000 + inserted].map((N) =>
        owner.post(`/api/v1/tables/${t.id}/rows`, { fields: { N } }),
      );
      await Promise.all(writes);
      pages++;
    } while (cursor);
    for (let n = 1; n <= 100_000; n++) expect(seen.get(n), `row ${n}`).to.equal(1);
    expect([...seen.values()].every((count) => count === 1)).to.equal(true);
    expect(pages).to.be.greaterThan(100);
  });

  it('locks a row for a multi-step edit: other writers get 409 row_locked until release', async () => {
    const owner = db.as(db.owner);
    const editor = await db.member('lock-editor', 'editor');
    const created = await owner.post(rowsPath, { fields: { Text: 'locked' } });
    const path = `${rowsPath}/${created.body.id}`;
    const lock = await owner.post(`${path}/lock`, { ttlSeconds: 60 });
    expect(lock.status).to.equal(200);
    expect(lock.body.holderId).to.equal(db.owner.id);
    expect((await db.as(editor).post(`${path}/lock`, {})).status).to.equal(409);
    const blocked = await db.as(editor).patch(path, { fields: { Text: 'mine' } });
    expect(blocked.status).to.equal(409);
    expect(blocked.body.code).to.equal('row_locked');
    expect((await owner.patch(path, { fields: { Text: 'holder edits' } })).status).to.equal(200);
    expect((await owner.delete(`${path}/lock`)).status).to.equal(204);
    expect((await db.as(editor).patch(path, { fields: { Text: 'mine' } })).status).to.equal(200);
  });

  it('writes exactly one audit entry per committed row mutation, and none for refused ones', async () => {
    const owner = db.as(db.owner);
    const before = await auditCount();
    const a = await owner.post(rowsPath, { fields: { Text: 'a' } });
    await owner.patch(`${rowsPath}/${a.body.id}`, { fields: { Text: 'b' } });
    await owner.patch(`${rowsPath}/${a.body.id}`, { fields: { Text: 'c' }, version: 1 }); // 409
    await owner.post(rowsPath, { fields: { Int: 'bad' } }); // 422
    await owner.delete(`${rowsPath}/${a.body.id}`);
    expect(await auditCount()).to.equal(before + 3);
    const entries = await db.app.dataplane
      .knex(`${db.schema}.audit_logs`)
      .where({ resource_id: a.body.id })
      .orderBy('created_at')
      .select('action', 'before', 'after');
    expect(entries.map((e: { action: string }) => e.action)).to.deep.equal([
      'row.create',
      'row.update',
      'row.delete',
    ]);
    const textId = table.columns[0]!.id;
    expect(entries[1].before.fields[textId]).to.equal('a');
    expect(entries[1].after.fields[textId]).to.equal('b');
  });

  it('takes only members of the workspace in a user column', async () => {
    const owner = db.as(db.owner);
    const outsider = await registerUser(db.app, 'not-a-member');
    const refused = await owner.post(rowsPath, { fields: { Who: outsider.id } });
    expect(refused.status).to.equal(422);
    expect(refused.body.errors[0]).to.include({ path: 'fields.Who', code: 'invalid_user' });
    const created = await owner.post(rowsPath, { fields: { Who: db.owner.id } });
    expect(created.status).to.equal(201);
    const patched = await owner.patch(`${rowsPath}/${created.body.id}`, { fields: { Who: outsider.id } });
    expect(patched.status).to.equal(422);
  });

  it('answers 404, never a 500, for row ids that are no UUID, and changes nothing', async () => {
    const owner = db.as(db.owner);
    const [rows, audits] = [await rowCount(), await auditCount()];
    for (const [status, res] of [
      [404, await owner.get(`${rowsPath}/not-a-uuid`)],
      [404, await owner.patch(`${rowsPath}/not-a-uuid`, { fields: { Text: 'x' } })],
      [404, await owner.put(`${rowsPath}/not-a-uuid`, { fields: {} })],
      [404, await owner.delete(`${rowsPath}/not-a-uuid`)],
      [404, await owner.post(`${rowsPath}/not-a-uuid/lock`, {})],
      [404, await owner.delete(`${rowsPath}/not-a-uuid/lock`)],
      [404, await owner.delete(`/api/v1/tables/${table.id}/indexes/not-a-uuid`)],
    ] as const)
      expect([res.status, res.body.code]).to.deep.equal([status, 'not_found']);
    expect([await rowCount(), await auditCount()]).to.deep.equal([rows, audits]);
  });

  it("answers 404 for another workspace's tables and rows, and 403 for a viewer's writes", async () => {
    const stranger = await registerUser(db.app, 'row-stranger');
    const created = await db.as(db.owner).post(rowsPath, { fields: { Text: 'private' } });
    expect((await db.as(stranger).get(rowsPath)).status).to.equal(404);
    expect((await db.as(stranger).get(`${rowsPath}/${created.body.id}`)).status).to.equal(404);
    expect(
      (await db.as(stranger).patch(`${rowsPath}/${created.body.id}`, { fields: { Text: 'x' } })).status,
    ).to.equal(404);
    const viewer = await db.member('row-viewer', 'viewer');
    expect((await db.as(viewer).get(rowsPath)).status).to.equal(200);
    expect((await db.as(viewer).post(rowsPath, { fields: { Text: 'x' } })).status).to.equal(403);
  });
});
