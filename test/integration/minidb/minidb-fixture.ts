import { expect } from 'chai';
import { registerUser, startTestApp, type TestApp } from '../../support/test-app.js';

export type User = Awaited<ReturnType<typeof registerUser>>;

/** A running app, an owner with a workspace and a base, and helpers for the mini-DB routes. */
export interface MiniDb {
  app: TestApp;
  owner: User;
  workspaceId: string;
  schema: string;
  baseId: string;
  as(user: User): Caller;
  /** Registers a user and adds them to the workspace with `role`. */
  member(name: string, role: 'admin' | 'editor' | 'viewer'): Promise<User>;
  stop(): Promise<void>;
}

export interface Caller {
  get(path: string): ReturnType<TestApp['request']>;
  post(path: string, body?: unknown): ReturnType<TestApp['request']>;
  put(path: string, body: unknown): ReturnType<TestApp['request']>;
  patch(path: string, body: unknown, headers?: Record<string, string>): ReturnType<TestApp['request']>;
  delete(path: string): ReturnType<TestApp['request']>;
  /** Creates a table and returns its view (asserting 201). */
  table(body: unknown): Promise<TableBody>;
}

export interface TableBody {
  id: string;
  name: string;
  schemaVersion: number;
  columns: { id: string; name: string; type: string }[];
}

/** `env` overrides the app's environment, as for startTestApp. */
export async function startMiniDb(name = 'owner', env: Record<string, string> = {}): Promise<MiniDb> {
  const app = await startTestApp(env);
  const owner = await registerUser(app, name);
  const ws = await app.request('POST', '/api/v1/workspaces', {
    token: owner.accessToken,
    body: { name: 'Mini DB' },
  });
  expect(ws.status).to.equal(201);
  const workspaceId = ws.body.id as string;
  const as = (user: User): Caller => {
    const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      app.request(method, path, {
        token: user.accessToken,
        ...(body === undefined ? {} : { body }),
        ...(headers ? { headers } : {}),
      });
    const caller: Caller = {
      get: (path) => call('GET', path),
      post: (path, body) => call('POST', path, body ?? {}),
      put: (path, body) => call('PUT', path, body),
      patch: (path, body, headers) => call('PATCH', path, body, headers),
      delete: (path) => call('DELETE', path),
      async table(body) {
        const res = await caller.post(`/api/v1/bases/${baseId}/tables`, body);
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        return res.body as TableBody;
      },
    };
    return caller;
  };
  const base = await as(owner).post(`/api/v1/workspaces/${workspaceId}/bases`, { name: 'Base' });
  expect(base.status).to.equal(201);
  const baseId = base.body.id as string;
  const schema = (await app.dataplane.knex('workspaces').where({ id: workspaceId }).first('schema_name'))
    .schema_name as string;
  const member = async (name: string, role: 'admin' | 'editor' | 'viewer'): Promise<User> => {
    const user = await registerUser(app, name);
    await app.dataplane
      .knex('workspace_members')
      .insert({ workspace_id: workspaceId, user_id: user.id, role });
    return user;
  };
  return { app, owner, workspaceId, schema, baseId, as, member, stop: () => app.stop() };
}

export const physicalTable = (tableId: string): string => `t_${tableId.replaceAll('-', '')}`;
export const physicalColumn = (columnId: string): string => `c_${columnId.replaceAll('-', '')}`;
