import { expect } from 'chai';
import { prepareSql } from '../../../dataplane/src/query/sql/compile-sql.js';
import { rowListQuery } from '../../../dataplane/src/services/rows/row-query.js';
import { Metadata } from '../../../dataplane/src/services/tables/metadata.js';
import { physicalColumn, physicalTable, startMiniDb, type MiniDb, type TableBody } from './minidb-fixture.js';

describe('mini-DB: indexes on demand and for sorted columns (real PostgreSQL)', () => {
  let db: MiniDb;
  let table: TableBody;
  before(async () => {
    db = await startMiniDb();
    table = await db.as(db.owner).table({
      name: 'Indexed',
      columns: [
        { name: 'Name', type: 'text' },
        { name: 'Score', type: 'integer' },
      ],
    });
    const [name, score] = table.columns.map((c) => physicalColumn(c.id));
    await db.app.dataplane.knex.raw(
      `INSERT INTO ??.?? (id, ??, ??) SELECT gen_random_uuid(), 'name ' || (g % 997), g % 1000 FROM generate_series(1, 20000) g`,
      [db.schema, physicalTable(table.id), name!, score!],
    );
    await db.app.dataplane.knex.raw('ANALYZE ??.??', [db.schema, physicalTable(table.id)]);
  });
  after(() => db.stop());

  /**
   * The index once the background build has finished it (undefined after 20 s). A CONCURRENTLY
   * build shows in pg_indexes from its start; only `indisvalid` says the planner may use it.
   */
  async function builtIndex(name: string): Promise<unknown> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = await db.app.dataplane
        .knex('pg_index as i')
        .join('pg_class as c', 'c.oid', 'i.indexrelid')
        .join('pg_namespace as n', 'n.oid', 'c.relnamespace')
        .where({ 'n.nspname': db.schema, 'c.relname': name, 'i.indisvalid': true })
        .first('c.relname');
      if (found || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The plan PostgreSQL picks for the first sorted page, as the rows route compiles it. */
  async function planFor(sort: string): Promise<string> {
    const knex = db.app.dataplane.knex;
    const meta = await new Metadata(knex, db.schema).table(table.id);
    const { query, source } = rowListQuery(db.schema, meta, { limit: 100, sort });
    const { plan } = prepareSql(query, source.catalog, 'postgres');
    const result = await knex.raw(`EXPLAIN ${plan.statement.sql}`, plan.statement.bindings as never);
    return (result.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
  }

  it('builds a sort index on demand that the compiled sorted page uses, lists and drops it', async () => {
    const owner = db.as(db.owner);
    const nameColumn = table.columns[0]!;
    expect(await planFor('-Name')).to.not.include('i_');
    const created = await owner.post(`/api/v1/tables/${table.id}/indexes`, {
      columnId: nameColumn.id,
      direction: 'desc',
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.include({ kind: 'sort', columnId: nameColumn.id, direction: 'desc' });
    expect(await planFor('-Name')).to.include(created.body.name);
    const list = await owner.get(`/api/v1/tables/${table.id}/indexes`);
    expect(list.body.data.map((i: { kind: string }) => i.kind)).to.include.members(['primary', 'sort']);
    expect(
      (await owner.delete(`/api/v1/tables/${table.id}/indexes/${nameColumn.id}?direction=desc`)).status,
    ).to.equal(204);
    expect(
      (await owner.delete(`/api/v1/tables/${table.id}/indexes/${nameColumn.id}?direction=desc`)).status,
    ).to.equal(404);
  });

  it('builds an index by itself for a column that lists keep sorting a big table by', async function () {
    this.timeout(30_000);
    const owner = db.as(db.owner);
    for (let i = 0; i < 3; i++)
      expect((await owner.get(`/api/v1/tables/${table.id}/rows?sort=Score&limit=10`)).status).to.equal(200);
    const name = `i_${table.columns[1]!.id.replaceAll('-', '')}_a`;
    const found = await builtIndex(name);
    expect(found, 'the automatic index').to.not.equal(undefined);
    expect(await planFor('Score')).to.include(name);
  });

  it('builds an equality index for a text column that lists keep filtering a big table on', async function () {
    this.timeout(30_000);
    const owner = db.as(db.owner);
    const filter = encodeURIComponent(JSON.stringify({ field: 'Name', op: 'eq', value: 'name 5' }));
    for (let i = 0; i < 3; i++)
      expect((await owner.get(`/api/v1/tables/${table.id}/rows?filter=${filter}&limit=10`)).status).to.equal(
        200,
      );
    const name = `i_${table.columns[0]!.id.replaceAll('-', '')}_e`;
    const found = await builtIndex(name);
    expect(found, 'the automatic equality index').to.not.equal(undefined);
    const list = await owner.get(`/api/v1/tables/${table.id}/indexes`);
    expect(list.body.data.find((i: { name: string }) => i.name === name)).to.include({ kind: 'filter' });
  });

  it('refuses to index a column that cannot be sorted', async () => {
    const owner = db.as(db.owner);
    const t = await owner.table({
      name: 'Tags',
      columns: [{ name: 'Tags', type: 'multiSelect', options: { choices: ['a'] } }],
    });
    const res = await owner.post(`/api/v1/tables/${t.id}/indexes`, { columnId: t.columns[0]!.id });
    expect(res.status).to.equal(422);
  });
});
