import { expect } from 'chai';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { physicalTable, type MiniDb, type TableBody, type User } from './minidb-fixture.js';

/** A change of a batch revert's answer, row or schema. */
export interface BatchChange {
  auditLogId: string;
  entryAction: string;
  resourceType: 'row' | 'column' | 'table';
  resourceId: string;
  tableId: string;
  action: string;
  // Rows: {version?, fields}; columns: a column; tables: {name, description, settings}.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  from: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  to: any;
  skippedColumns?: { columnId: string; reason: string; deletedBy?: string }[];
}

export interface IgnoredEntry {
  auditLogId: string;
  action: string;
  code: string;
  detail: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Helpers over the batch revert route and what a batch changes, for one mini-DB. */
export function batchRevertHelpers(db: MiniDb) {
  const batch = (body: unknown, user: User) =>
    db.app.request('POST', '/api/v1/audit-logs/revert', {
      token: user.accessToken,
      headers: { 'x-workspace-id': db.workspaceId },
      body,
    });

  /** Runs `work` and answers the instants just before and just after it. */
  const during = async (work: () => Promise<void>) => {
    await pause(5);
    const from = new Date().toISOString();
    await pause(5);
    await work();
    await pause(5);
    const to = new Date().toISOString();
    await pause(5);
    return { from, to };
  };

  /** The newest entry of the table with this action (and resource). */
  const latest = async (tableId: string, action: string, resourceId?: string) => {
    const res = await db.as(db.owner).get(`/api/v1/tables/${tableId}/history?action=${action}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const entry = (res.body.data as { id: string; resourceId: string | null }[]).find(
      (e) => resourceId === undefined || e.resourceId === resourceId,
    );
    expect(entry, action).to.not.equal(undefined);
    return entry?.id as string;
  };

  /** The actions `user` is recorded with, newest first. */
  const actionsBy = async (user: User) =>
    (
      await db.app.request('GET', `/api/v1/audit-logs?actorId=${user.id}`, {
        token: db.owner.accessToken,
        headers: { 'x-workspace-id': db.workspaceId },
      })
    ).body.data.map((e: { action: string }) => e.action) as string[];

  const physicalColumns = async (tableId: string) =>
    (
      await db.app.dataplane
        .knex('information_schema.columns')
        .where({ table_schema: db.schema, table_name: physicalTable(tableId) })
        .orderBy('column_name')
        .select('column_name')
    ).map((c: { column_name: string }) => c.column_name);

  /** Everything a batch could change: the table, its physical columns and rows, the audit log. */
  const snapshot = async (tableId: string) => ({
    table: (await db.as(db.owner).get(`/api/v1/tables/${tableId}`)).body,
    physicalColumns: await physicalColumns(tableId),
    rows: await db.app.dataplane
      .knex(`${db.schema}.${physicalTable(tableId)}`)
      .orderBy('id')
      .select('*'),
    audits: (await db.app.dataplane.knex(`${db.schema}.audit_logs`).count<{ n: string }[]>('* as n'))[0],
  });

  /** A table `Title` (text) and `Points` (integer) with rows one (1) and two (2); their ids. */
  const newTable = async (name: string, baseId = db.baseId) => {
    const res = await db.as(db.owner).post(`/api/v1/bases/${baseId}/tables`, {
      name,
      columns: [
        { name: 'Title', type: 'text' },
        { name: 'Points', type: 'integer' },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const table = res.body as TableBody;
    const ids: string[] = [];
    for (const [Title, Points] of [
      ['one', 1],
      ['two', 2],
    ] as const) {
      const row = await db
        .as(db.owner)
        .post(`/api/v1/tables/${table.id}/rows`, { fields: { Title, Points } });
      expect(row.status, JSON.stringify(row.body)).to.equal(201);
      ids.push(row.body.id as string);
    }
    const columnId = (columnName: string) => table.columns.find((c) => c.name === columnName)?.id as string;
    return { table, rows: ids as [string, string], columnId };
  };

  /** The table's rows as a user reads them, sorted by a column (Title). */
  const rowsOf = async (tableId: string, sort = 'Title') =>
    (
      (await db.as(db.owner).get(`/api/v1/tables/${tableId}/rows?sort=${sort}`)).body.data as {
        fields: Record<string, unknown>;
      }[]
    ).map((r) => r.fields);

  /** Checks an answer against the 200 schema the OpenAPI document gives the route. */
  const matchesDocument = async (body: unknown) => {
    const doc = await db.app.request('GET', '/api/v1/openapi.json');
    const schema = doc.body.paths['/api/v1/audit-logs/revert'].post.responses['200'].content[
      'application/json'
    ].schema as object;
    const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate(body), JSON.stringify(validate.errors?.slice(0, 5), null, 2)).to.equal(true);
  };

  return { batch, during, latest, actionsBy, physicalColumns, snapshot, newTable, rowsOf, matchesDocument };
}
