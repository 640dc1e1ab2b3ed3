import { expect } from 'chai';
import { purgeTrashedColumns } from '../../../dataplane/src/services/tables/trash-purge.js';
import { physicalTable, startMiniDb, type MiniDb } from './minidb-fixture.js';

describe('mini-DB: deleted columns keep their data until the retention period ends', () => {
  let db: MiniDb;
  before(async () => {
    db = await startMiniDb();
  });
  after(() => db.stop());

  const columnsOf = async (tableId: string) =>
    (
      await db.app.dataplane
        .knex('information_schema.columns')
        .where({ table_schema: db.schema, table_name: physicalTable(tableId) })
        .select('column_name')
    ).map((c: { column_name: string }) => c.column_name);

  it('drops a deleted column only once its deletion is older than the audit retention', async () => {
    const owner = db.as(db.owner);
    const table = await owner.table({
      name: 'Trash',
      columns: [
        { name: 'Keep', type: 'text' },
        { name: 'Gone', type: 'text' },
      ],
    });
    const gone = table.columns[1]!;
    await owner.post(`/api/v1/tables/${table.id}/rows`, { fields: { Keep: 'k', Gone: 'g' } });
    expect((await owner.delete(`/api/v1/tables/${table.id}/columns/${gone.id}`)).status).to.equal(204);
    const trashed = `d_${gone.id.replaceAll('-', '')}`;
    expect(await columnsOf(table.id)).to.include(trashed);

    const knex = db.app.dataplane.knex;
    await purgeTrashedColumns(knex, new Date());
    expect(await columnsOf(table.id), 'within retention').to.include(trashed);

    const later = new Date(Date.now() + 400 * 86_400_000); // past the default 365 days
    expect(await purgeTrashedColumns(knex, later)).to.be.greaterThan(0);
    expect(await columnsOf(table.id)).to.not.include(trashed);
    const [change] = await knex(`${db.schema}.table_changes`).where({
      table_id: table.id,
      action: 'column.delete',
    });
    expect(change.purged_at).to.be.instanceOf(Date);
    expect(await purgeTrashedColumns(knex, later)).to.equal(0); // nothing left to do
    const rows = await owner.get(`/api/v1/tables/${table.id}/rows`);
    expect(rows.body.data[0].fields).to.deep.equal({ Keep: 'k' });
  });
});
