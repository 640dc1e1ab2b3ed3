import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createLogger } from '../../dataplane/src/platform/logger.js';
import { loadOperatorConfig } from '../../operator/src/config.js';
import {
  KubeClient,
  isNotFound,
  type KubeObject,
  type ResourceRef,
} from '../../operator/src/kube/kube-client.js';
import { Operator } from '../../operator/src/operator.js';
import { startKubeApiServer, type KubeApiServer } from '../fixtures/kube-api-server/index.js';
import { kubectl, type ToolTarget } from '../fixtures/kube-api-server/kube-tools.js';
import {
  createPlatformDatabase,
  type PlatformDatabase,
} from '../integration/operator/support/platform-database.js';
import { PG_ADMIN_URL } from '../support/databases.js';
import { eventually as poll } from '../support/eventually.js';

/**
 * End to end, as a platform team and a tenant see it: `kubectl apply -f crds/` and
 * `kubectl apply -f examples/`; the operator (in this process) creates the schema and role in the
 * real PostgreSQL and every child; the dataplane is then started as a process with exactly the
 * environment its Deployment gives it (no kubelet here: this test is the kubelet), and a user
 * registers, creates a table and reads it back. With KUBECONFIG set, the same suite runs against
 * that cluster instead of the in-repo Kubernetes API server (the operator and the dataplane
 * process still run here, against the PostgreSQL and MariaDB of this machine).
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const TENANT = 'acme';
const SCHEMA = 'lt_ws_acme';

type Env = { name: string; value?: string }[];
interface DeploymentJson extends KubeObject {
  spec: {
    template: {
      metadata: { annotations?: Record<string, string> };
      spec: { containers: { env: Env; envFrom?: { secretRef?: { name: string } }[] }[] };
    };
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('e2e: kubectl apply -f examples/ → a tenant dataplane a user can use', function () {
  this.timeout(180_000);
  let api: KubeApiServer | undefined;
  let target: ToolTarget;
  let client: KubeClient;
  let platform: PlatformDatabase;
  let operator: Operator;
  let dataplane: ChildProcess | undefined;
  let dataplaneUrl = '';
  const real = Boolean(process.env.KUBECONFIG);

  const get = async <T extends KubeObject>(ref: ResourceRef): Promise<T | undefined> => {
    try {
      return await client.get<T>(ref);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  const eventually = <T>(check: () => Promise<T>, ms = 30_000) => poll(check, ms, 100);
  const run = async (args: string[]) => {
    const result = await kubectl(target, args);
    expect(result.code, `kubectl ${args.join(' ')}: ${result.stderr}`).to.equal(0);
    return result.stdout;
  };
  const admin = async <T>(work: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };

  before(async () => {
    // The example tenant's role is global to the PostgreSQL cluster: a failed earlier run may have left it.
    await admin(async (c) => {
      const { rows } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [SCHEMA]);
      if (rows.length) {
        await c.query(`DROP OWNED BY ${SCHEMA} CASCADE`).catch(() => undefined);
        await c.query(`DROP ROLE ${SCHEMA}`);
      }
    });
    const maria = await mysql.createConnection(MARIADB);
    await maria.query('CREATE DATABASE IF NOT EXISTS lt_example');
    await maria.query('CREATE TABLE IF NOT EXISTS lt_example.products (id int primary key, name text)');
    await maria.query('CREATE TABLE IF NOT EXISTS lt_example.stock (product int primary key, units int)');
    await maria.query("INSERT IGNORE INTO lt_example.products VALUES (1, 'Widget'), (2, 'Gadget')");
    await maria.end();
    const kc = new KubeConfig();
    if (real) {
      kc.loadFromDefault();
      target = {
        toolEnv: { KUBECONFIG: process.env.KUBECONFIG as string, HOME: process.env.HOME ?? '/root' },
      };
    } else {
      api = await startKubeApiServer({ simulateDeployments: true });
      kc.loadFromFile(api.kubeconfigPath);
      target = api;
    }
    client = new KubeClient(kc);
    platform = await createPlatformDatabase();
    await run(['apply', '-f', path.join(REPO, 'crds')]);
    await run([
      'wait',
      '--for=condition=Established',
      'crd/workspaces.livetables.dev',
      'crd/connections.livetables.dev',
      '--timeout=30s',
    ]);
    const config = loadOperatorConfig({
      PLATFORM_DATABASE_URL: platform.url,
      DATAPLANE_IMAGE: 'live-tables-dataplane:e2e',
      POD_NAMESPACE: 'default',
      POD_NAME: 'operator-e2e',
      CONNECTION_ALLOW: '127.0.0.1',
      LEASE_DURATION_SECONDS: '5',
    });
    operator = new Operator(kc, config, createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), {
      processMetrics: false,
    });
    await operator.start();
  });

  after(async () => {
    dataplane?.kill('SIGTERM');
    if (dataplane?.exitCode === null) await once(dataplane, 'exit');
    await kubectl(target, [
      'delete',
      '-f',
      path.join(REPO, 'examples'),
      '--ignore-not-found',
      '--wait=true',
      '--timeout=60s',
    ]);
    await operator?.stop();
    await api?.stop();
    await platform?.drop();
    await admin(async (c) => {
      const { rows } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [SCHEMA]);
      if (rows.length) await c.query(`DROP ROLE ${SCHEMA}`);
    });
  });

  it('kubectl apply -f examples/ makes the Workspace Ready, and kubectl get shows its columns', async () => {
    await run(['apply', '-f', path.join(REPO, 'examples')]);
    await eventually(async () => {
      const out = await run([
        'get',
        'workspaces',
        TENANT,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]);
      expect(out).to.equal('True');
    });
    const table = await run(['get', 'workspaces']);
    const [header, row] = table.trim().split('\n');
    expect(header?.split(/\s+/)).to.deep.equal(['NAME', 'READY', 'ENDPOINT', 'AGE']);
    expect(row?.split(/\s+/).slice(0, 3)).to.deep.equal([
      TENANT,
      'True',
      `http://lt-${TENANT}.default.svc:8080`,
    ]);
    const short = await run(['get', 'ltws', '-o', 'name']);
    expect(short.trim()).to.equal(`workspace.livetables.dev/${TENANT}`);
    const explained = await run(['explain', 'workspace.spec.deletionPolicy']);
    expect(explained).to.include('Retain');
  });

  it('creates the schema and role in the real PostgreSQL, and every child with the right spec', async () => {
    const tenant = await platform.admin(
      async (c) =>
        (
          await c.query(
            `SELECT n.nspname, r.rolname, pg_get_userbyid(n.nspowner) AS owner, r.rolsuper, r.rolcreaterole, r.rolcanlogin
           FROM pg_namespace n JOIN pg_roles r ON r.rolname = n.nspname WHERE n.nspname = $1`,
            [SCHEMA],
          )
        ).rows[0],
    );
    expect(tenant).to.deep.equal({
      nspname: SCHEMA,
      rolname: SCHEMA,
      owner: SCHEMA,
      rolsuper: false,
      rolcreaterole: false,
      rolcanlogin: true,
    });
    const deployment = (await get<DeploymentJson>({
      apiVersion: 'apps/v1',
      plural: 'deployments',
      namespace: 'default',
      name: `lt-${TENANT}`,
    })) as DeploymentJson;
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value]));
    expect(env).to.include({
      LT_WORKSPACE: TENANT,
      LT_SCHEMA: SCHEMA,
      LT_DISPLAY_NAME: 'Acme',
      NODE_ENV: 'production',
      PORT: '8080',
    });
    expect(container?.envFrom).to.deep.equal([{ secretRef: { name: `lt-${TENANT}` } }]);
    expect(deployment.spec.template.metadata.annotations?.['livetables.dev/spec-hash']).to.match(
      /^[0-9a-f]{16,}$/,
    );
    for (const [plural, apiVersion] of [
      ['services', 'v1'],
      ['networkpolicies', 'networking.k8s.io/v1'],
      ['secrets', 'v1'],
    ] as const)
      expect(
        await get({ apiVersion, plural, namespace: 'default', name: `lt-${TENANT}` }),
        plural,
      ).to.not.equal(undefined);
  });

  it('the dataplane, started with exactly its Deployment’s environment, serves a user: register, table, rows', async () => {
    const deployment = (await get<DeploymentJson>({
      apiVersion: 'apps/v1',
      plural: 'deployments',
      namespace: 'default',
      name: `lt-${TENANT}`,
    })) as DeploymentJson;
    const container = deployment.spec.template.spec.containers[0];
    const secretName = container?.envFrom?.[0]?.secretRef?.name ?? '';
    const secret = (await get<KubeObject & { data: Record<string, string> }>({
      apiVersion: 'v1',
      plural: 'secrets',
      namespace: 'default',
      name: secretName,
    })) as { data: Record<string, string> };
    const fromSecret = Object.fromEntries(
      Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    const fromEnv = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? '']));
    // The only change: a free port on loopback instead of the pod's 0.0.0.0:8080.
    const port = await freePort();
    const env = {
      ...fromSecret,
      ...fromEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      PATH: process.env.PATH ?? '',
    };
    dataplane = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'dataplane/src/main.ts')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    dataplane.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    dataplaneUrl = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      expect(dataplane?.exitCode, stderr).to.equal(null);
      const res = await fetch(`${dataplaneUrl}/readyz`);
      expect(res.status).to.equal(200);
    }, 60_000);

    const call = async (method: string, route: string, body?: unknown, token?: string) => {
      const res = await fetch(dataplaneUrl + route, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // Tests read arbitrary JSON; chai assertions check its shape.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const answer = (await res.json().catch(() => undefined)) as any;
      return { status: res.status, body: answer };
    };
    const registered = await call('POST', '/api/v1/auth/register', {
      email: fromSecret.LT_OWNER_EMAIL,
      password: 'correct horse battery staple',
      name: 'Owner',
    });
    expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
    const token = registered.body.accessToken as string;
    const me = await call('GET', '/api/v1/auth/me', undefined, token);
    expect((me.body.workspaces as { role: string }[]).map((w) => w.role)).to.deep.equal(['owner']);
    const workspaceId = (me.body.workspaces as { id: string }[])[0]?.id;
    const base = await call('POST', `/api/v1/workspaces/${workspaceId}/bases`, { name: 'Ops' }, token);
    expect(base.status).to.equal(201);
    const table = await call(
      'POST',
      `/api/v1/bases/${base.body.id}/tables`,
      { name: 'Tasks', columns: [{ name: 'Title', type: 'text' }] },
      token,
    );
    expect(table.status).to.equal(201);
    const row = await call(
      'POST',
      `/api/v1/tables/${table.body.id}/rows`,
      { fields: { Title: 'Ship it' } },
      token,
    );
    expect(row.status).to.equal(201);
    const listed = await call('GET', `/api/v1/tables/${table.body.id}/rows`, undefined, token);
    expect((listed.body.data as { fields: unknown }[]).map((r) => r.fields)).to.deep.equal([
      { Title: 'Ship it' },
    ]);
    // The tenant's data is in its schema, written by its role.
    const owner = await platform.admin(
      async (c) =>
        (
          await c.query(`SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'bases'`, [
            SCHEMA,
          ])
        ).rows[0],
    );
    expect(owner).to.deep.equal({ tableowner: SCHEMA });

    // The Connection of examples/ is Ready with its tables, listed by the tenant API as managed.
    await eventually(async () => {
      const out = await run([
        'get',
        'connections',
        'warehouse',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.tables}',
      ]);
      expect(out).to.equal('True 2');
    });
    const conn = await eventually(async () => {
      const list = await fetch(`${dataplaneUrl}/api/v1/connections`, {
        headers: { authorization: `Bearer ${token}`, 'x-workspace-id': String(workspaceId) },
      });
      const body = (await list.json()) as { data: { id: string; name: string; managedBy: string | null }[] };
      expect(body.data.map((c) => [c.name, c.managedBy])).to.deep.equal([['warehouse', 'operator']]);
      return body.data[0] as { id: string };
    });
    const changed = await fetch(`${dataplaneUrl}/api/v1/connections/${conn.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(changed.status).to.equal(409);
    expect(((await changed.json()) as { code: string }).code).to.equal('managed_by_operator');
  });

  it('a second tenant’s role cannot read the first tenant’s schema', async () => {
    const other = platform.tenantName('other');
    await client.create(
      { apiVersion: 'livetables.dev/v1alpha1', plural: 'workspaces', namespace: 'default' },
      {
        apiVersion: 'livetables.dev/v1alpha1',
        kind: 'Workspace',
        metadata: { name: other, namespace: 'default' },
        spec: { owner: { email: `owner@${other}.test` }, deletionPolicy: 'Delete' },
      },
    );
    const secret = await eventually(async () => {
      const s = await get<KubeObject & { data: Record<string, string> }>({
        apiVersion: 'v1',
        plural: 'secrets',
        namespace: 'default',
        name: `lt-${other}`,
      });
      expect(s).to.not.equal(undefined);
      const ws = await get<KubeObject & { status?: { conditions?: { type: string; status: string }[] } }>({
        apiVersion: 'livetables.dev/v1alpha1',
        plural: 'workspaces',
        namespace: 'default',
        name: other,
      });
      expect(ws?.status?.conditions?.find((c) => c.type === 'DatabaseReady')?.status).to.equal('True');
      return s as { data: Record<string, string> };
    });
    const url = Buffer.from(secret.data.DATABASE_URL ?? '', 'base64').toString('utf8');
    const session = new pg.Client({ connectionString: url });
    await session.connect();
    try {
      const refused = await session.query(`SELECT * FROM ${SCHEMA}.bases`).catch((e: { code: string }) => e);
      expect((refused as { code: string }).code).to.equal('42501'); // insufficient_privilege
      const own = await session.query(
        `SELECT count(*)::int AS n FROM lt_ws_${other.replaceAll('-', '_')}.bases`,
      );
      expect(own.rows[0]?.n).to.equal(0);
    } finally {
      await session.end();
    }
    await client.delete({
      apiVersion: 'livetables.dev/v1alpha1',
      plural: 'workspaces',
      namespace: 'default',
      name: other,
    });
  });

  it('repairs drift made with kubectl, and deletion per deletionPolicy drops the schema and role', async () => {
    await run(['delete', 'service', `lt-${TENANT}`]);
    await eventually(async () => {
      await run(['get', 'service', `lt-${TENANT}`]);
    });
    await run(['scale', 'deployment', `lt-${TENANT}`, '--replicas=3']);
    await eventually(async () => {
      const out = await run(['get', 'deployment', `lt-${TENANT}`, '-o', 'jsonpath={.spec.replicas}']);
      expect(out).to.equal('1');
    });
    dataplane?.kill('SIGTERM');
    if (dataplane?.exitCode === null) await once(dataplane, 'exit');
    dataplane = undefined;
    await run(['delete', '-f', path.join(REPO, 'examples'), '--wait=true', '--timeout=60s']);
    const left = await admin(
      async (c) =>
        (await c.query('SELECT (SELECT count(*) FROM pg_roles WHERE rolname = $1)::int AS roles', [SCHEMA]))
          .rows[0]?.roles,
    );
    expect(left).to.equal(0);
  });
});
