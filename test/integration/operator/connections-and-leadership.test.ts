import { expect } from 'chai';
import mysql from 'mysql2/promise';
import type { KubeObject } from '../../../operator/src/kube/kube-client.js';
import { CONNECTIONS, startOperatorStack, WORKSPACES, type OperatorStack } from './support/operator-stack.js';

/**
 * Connections to the MariaDB of this machine become Ready with their table count and are
 * registered in the tenant's data; of two operator replicas only the leader reconciles, and the
 * other takes over when it stops.
 */

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
type WithStatus = KubeObject & {
  status?: {
    conditions?: Condition[];
    tables?: number;
    connectionId?: string;
    target?: { host: string; port: number; addresses: string[] };
  };
};
const condition = (o: WithStatus | undefined, type: string) =>
  o?.status?.conditions?.find((c) => c.type === type);

const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };

describe('operator: Connections (real MariaDB) and leader election', function () {
  this.timeout(90_000);
  let stack: OperatorStack;
  const database = `lt_op_${process.pid}_${Date.now().toString(36)}`;
  before(async () => {
    const admin = await mysql.createConnection(MARIADB);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE TABLE ${database}.customers (id int primary key, name text)`);
    await admin.query(`CREATE TABLE ${database}.orders (id int primary key, customer int)`);
    await admin.end();
    // Loopback is refused by the guard unless allowed: the MariaDB here listens on it.
    stack = await startOperatorStack({ CONNECTION_ALLOW: '127.0.0.1' });
  });
  after(async () => {
    await stack?.stop();
    const admin = await mysql.createConnection(MARIADB);
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  const workspaceReady = (name: string) =>
    stack.eventually(async () => {
      const ws = await stack.get<WithStatus>({ ...WORKSPACES, name });
      expect(condition(ws, 'Ready')?.status, JSON.stringify(ws?.status)).to.equal('True');
    });

  async function connection(name: string, workspace: string, host = MARIADB.host) {
    await stack.client.create(
      { apiVersion: 'v1', plural: 'secrets', namespace: 'default' },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `${name}-credentials`, namespace: 'default' },
        stringData: { username: MARIADB.user, password: MARIADB.password },
      },
    );
    await stack.client.create(CONNECTIONS, {
      apiVersion: 'livetables.dev/v1alpha1',
      kind: 'Connection',
      metadata: { name, namespace: 'default' },
      spec: {
        workspaceRef: { name: workspace },
        type: 'mysql',
        host,
        port: MARIADB.port,
        database,
        credentialsSecretRef: { name: `${name}-credentials` },
      },
    });
  }

  it('a Connection to the MariaDB here becomes Ready with its table count, registered in the tenant', async () => {
    const ws = stack.platform.tenantName('conn');
    await stack.client.create(WORKSPACES, {
      apiVersion: 'livetables.dev/v1alpha1',
      kind: 'Workspace',
      metadata: { name: ws, namespace: 'default' },
      spec: { owner: { email: `owner@${ws}.test` }, deletionPolicy: 'Delete' },
    });
    await workspaceReady(ws);
    await connection('warehouse', ws);
    const ready = await stack.eventually(async () => {
      const c = await stack.get<WithStatus>({ ...CONNECTIONS, name: 'warehouse' });
      expect(condition(c, 'Ready')?.status, JSON.stringify(c?.status)).to.equal('True');
      return c as WithStatus;
    });
    expect(condition(ready, 'Reachable')).to.include({ status: 'True', reason: 'Reachable' });
    expect(ready.status?.tables).to.equal(2);
    expect(ready.status?.connectionId).to.equal(ready.metadata?.uid);
    expect(ready.status?.target).to.deep.equal({ host: '127.0.0.1', port: 3306, addresses: ['127.0.0.1'] });
    // Registered in the tenant's data, sealed, managed by the operator.
    const schema = `lt_ws_${ws.replaceAll('-', '_')}`;
    const row = await stack.platform.admin(
      async (c) =>
        (
          await c.query(
            `SELECT name, type, host, managed_by, secret FROM ${schema}.connections WHERE id = $1`,
            [ready.metadata?.uid],
          )
        ).rows[0] as { name: string; type: string; host: string; managed_by: string; secret: string },
    );
    expect(row).to.include({ name: 'warehouse', type: 'mysql', host: '127.0.0.1', managed_by: 'operator' });
    expect(row.secret).to.match(/^v1\./).and.not.include(MARIADB.user);
    // The Workspace's dataplane is told to admit the host, and may reach it.
    await stack.eventually(async () => {
      const deployment = (await stack.get({
        apiVersion: 'apps/v1',
        plural: 'deployments',
        namespace: 'default',
        name: `lt-${ws}`,
      })) as { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
      const env = deployment.spec.template.spec.containers[0]?.env ?? [];
      expect(env.find((e) => e.name === 'LT_CONNECTION_ALLOW')?.value).to.equal('127.0.0.1');
    });
    // Deleting the Connection unregisters it.
    await stack.client.delete({ ...CONNECTIONS, name: 'warehouse' });
    await stack.eventually(async () =>
      expect(await stack.get({ ...CONNECTIONS, name: 'warehouse' })).to.equal(undefined),
    );
    const left = await stack.platform.admin(
      async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${schema}.connections`)).rows[0]?.n,
    );
    expect(left).to.equal(0);
  });

  it('a Connection whose Workspace does not exist, or whose host is refused, is not Ready and says why', async () => {
    await connection('orphan', 'no-such-workspace');
    await stack.eventually(async () => {
      const c = await stack.get<WithStatus>({ ...CONNECTIONS, name: 'orphan' });
      expect(condition(c, 'Ready')).to.include({ status: 'False', reason: 'WorkspaceNotFound' });
    });
    const ws = stack.platform.tenantName('refused');
    await stack.client.create(WORKSPACES, {
      apiVersion: 'livetables.dev/v1alpha1',
      kind: 'Workspace',
      metadata: { name: ws, namespace: 'default' },
      spec: { owner: { email: `owner@${ws}.test` }, deletionPolicy: 'Delete' },
    });
    await workspaceReady(ws);
    await connection('metadata-service', ws, '169.254.169.254');
    await stack.eventually(async () => {
      const c = await stack.get<WithStatus>({ ...CONNECTIONS, name: 'metadata-service' });
      expect(condition(c, 'Ready')).to.include({ status: 'False', reason: 'HostNotAllowed' });
      expect(c?.status?.target).to.equal(undefined);
    });
  });

  it('of two replicas only the leader reconciles; the other takes over when the leader stops', async () => {
    const standby = await stack.replica('operator-1');
    await stack.eventually(async () => expect(stack.operator.isLeader).to.equal(true));
    expect(standby.isLeader).to.equal(false);
    const lease = await stack.get<KubeObject & { spec: { holderIdentity: string } }>({
      apiVersion: 'coordination.k8s.io/v1',
      plural: 'leases',
      namespace: 'default',
      name: 'live-tables-operator',
    });
    expect(lease?.spec.holderIdentity).to.equal('operator-0');
    await stack.operator.stop(); // releases the Lease
    await stack.eventually(async () => expect(standby.isLeader).to.equal(true), 10_000);
    const ws = stack.platform.tenantName('failover');
    await stack.client.create(WORKSPACES, {
      apiVersion: 'livetables.dev/v1alpha1',
      kind: 'Workspace',
      metadata: { name: ws, namespace: 'default' },
      spec: { owner: { email: `owner@${ws}.test` }, deletionPolicy: 'Delete' },
    });
    await workspaceReady(ws);
    const metrics = await standby.metrics.registry.getSingleMetricAsString('lt_operator_leader');
    expect(metrics).to.match(/lt_operator_leader 1/);
  });
});
