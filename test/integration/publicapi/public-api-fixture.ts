import { expect } from 'chai';
import { metricValue } from '../../support/metrics.js';
import type { TestApp, TestResponse } from '../../support/test-app.js';
import type { MiniDb, TableBody } from '../minidb/minidb-fixture.js';
import { viewCaller } from '../views/views-fixture.js';

/** People: Name, City and Age are what views show; Salary and Ssn are the hidden columns. */
export const PEOPLE_COLUMNS = [
  { name: 'Name', type: 'text' },
  { name: 'City', type: 'text' },
  { name: 'Age', type: 'integer' },
  { name: 'Salary', type: 'integer' },
  { name: 'Ssn', type: 'text' },
];
export const VISIBLE = ['Name', 'City', 'Age'];
/** Values of the hidden columns: no answer may ever contain them. */
export const SECRET_SALARY = 987654;
export const SECRET_SSN = 'ssn-000-secret';

export const PEOPLE = [
  { Name: 'Ada', City: 'London', Age: 36, Salary: SECRET_SALARY, Ssn: SECRET_SSN },
  { Name: 'Grace', City: 'New York', Age: 85, Salary: SECRET_SALARY + 1, Ssn: `${SECRET_SSN}-2` },
  { Name: 'Linus', City: 'Helsinki', Age: 54, Salary: SECRET_SALARY + 2, Ssn: `${SECRET_SSN}-3` },
];

let slugs = 0;
/** A slug no other test uses (slugs are global, and tests share PostgreSQL only per app). */
export const uniqueSlug = (name: string): string => `${name}-${Date.now().toString(36)}-${slugs++}`;

/** A People table with the three people, and a view of it showing Name, City and Age. */
let tables = 0;

export async function peopleView(
  db: MiniDb,
  name = `People ${tables++}`,
): Promise<{ table: TableBody; viewId: string }> {
  const table = await db.as(db.owner).table({ name, columns: PEOPLE_COLUMNS });
  const bulk = await db.as(db.owner).post(`/api/v1/tables/${table.id}/rows/bulk`, {
    operation: 'create',
    rows: PEOPLE.map((fields) => ({ fields })),
  });
  expect(bulk.status, JSON.stringify(bulk.body)).to.equal(200);
  const view = await viewCaller(db.app, db.owner, db.workspaceId).view(viewOf(table.id, VISIBLE));
  return { table, viewId: view.id };
}

/** The definition of a view of `tableId` showing `visible`, named after the table. */
export const viewOf = (tableId: string, visible: string[]) => ({
  name: `View of ${tableId}`,
  source: { tableId },
  visibleColumns: visible,
});

/** Changes which columns the view shows: a new version of the view. */
export async function showColumns(db: MiniDb, viewId: string, visible: string[]): Promise<void> {
  const views = viewCaller(db.app, db.owner, db.workspaceId);
  const current = await views.get(`/api/v1/views/${viewId}`);
  expect(current.status, JSON.stringify(current.body)).to.equal(200);
  const changed = await views.put(`/api/v1/views/${viewId}`, {
    ...viewOf(current.body.source.tableId as string, visible),
    version: current.body.version,
  });
  expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
}

/** Publishes the view (asserting 201) and returns the answer's body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function publish(db: MiniDb, viewId: string, body: Record<string, unknown>): Promise<any> {
  const res = await db.as(db.owner).post(`/api/v1/views/${viewId}/api`, body);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body;
}

export interface PublicCall {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  method?: string;
}

/** A call of the public endpoint, without any user token. */
export function callPublic(app: TestApp, slug: string, call: PublicCall = {}): Promise<TestResponse> {
  const search = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
  return app.request(call.method ?? 'GET', `/public/views/${slug}/data${search}`, {
    ...(call.headers ? { headers: call.headers } : {}),
  });
}

/** Names of the rows of a JSON page. */
export const namesOf = (res: TestResponse): string[] =>
  (res.body.data as { fields: { Name: string } }[]).map((r) => r.fields.Name);

/**
 * How many queries the app's public API sent to the views engine for `slug` (misses,
 * refreshes, warming): `lt_public_api_view_queries_total` of its /metrics.
 */
export const viewQueries = (app: TestApp, slug: string): Promise<number> =>
  metricValue(app, `lt_public_api_view_queries_total{api="${slug}"}`);
