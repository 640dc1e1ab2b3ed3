import { expect } from 'chai';
import type { TestApp, TestResponse } from '../../support/test-app.js';
import type { User } from '../minidb/minidb-fixture.js';

/** Calls as one user, always naming the workspace (collection routes need X-Workspace-Id). */
export interface ViewCaller {
  get(path: string, headers?: Record<string, string>): Promise<TestResponse>;
  post(path: string, body?: unknown): Promise<TestResponse>;
  put(path: string, body: unknown): Promise<TestResponse>;
  delete(path: string): Promise<TestResponse>;
  /** POST /views, asserting 201. */
  view(body: unknown): Promise<{ id: string; version: number; [key: string]: unknown }>;
  /** GET /views/:id/data with query parameters (objects are sent as JSON). */
  data(id: string, query?: Record<string, unknown>): Promise<TestResponse>;
  /** Every row of the view, following cursors `limit` rows at a time. */
  allRows(
    id: string,
    query?: Record<string, unknown>,
  ): Promise<{ id?: string; fields: Record<string, unknown> }[]>;
}

export function viewCaller(app: TestApp, user: User, workspaceId: string): ViewCaller {
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(method, path, {
      token: user.accessToken,
      headers: { 'x-workspace-id': workspaceId, ...headers },
      ...(body === undefined ? {} : { body }),
    });
  const caller: ViewCaller = {
    get: (path, headers) => call('GET', path, undefined, headers),
    post: (path, body) => call('POST', path, body ?? {}),
    put: (path, body) => call('PUT', path, body),
    delete: (path) => call('DELETE', path),
    async view(body) {
      const res = await caller.post('/api/v1/views', body);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body;
    },
    data: (id, query = {}) => caller.get(`/api/v1/views/${id}/data${queryString(query)}`),
    async allRows(id, query = {}) {
      const rows: { id?: string; fields: Record<string, unknown> }[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 1000; i++) {
        const res = await caller.data(id, { ...query, ...(cursor ? { cursor } : {}) });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        rows.push(...res.body.data);
        cursor = res.body.nextCursor ?? undefined;
        if (!cursor) return rows;
      }
      throw new Error('too many pages');
    },
  };
  return caller;
}

export function queryString(query: Record<string, unknown>): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(
      ([k, v]) =>
        `${k}=${encodeURIComponent(typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v))}`,
    );
  return parts.length ? `?${parts.join('&')}` : '';
}

export const fieldsOf = (rows: { fields: Record<string, unknown> }[]) => rows.map((r) => r.fields);
