import { expect } from 'chai';
import type { KubeObject } from '../../../operator/src/kube/kube-client.js';
import { startOperatorStack, WORKSPACES, type OperatorStack } from './support/operator-stack.js';

/**
 * The operator against the in-repo Kubernetes API server and the real PostgreSQL: a Workspace
 * becomes a schema and role, a Secret, a Deployment, a Service and a NetworkPolicy, owned by it;
 * its status says Ready; drift is repaired; a second reconcile writes nothing; deletion follows
 * the deletionPolicy.
 */

interface Condition {
  type: string;
  status: string;
  reason: string;
}
type WithStatus = KubeObject & {
  spec?: Record<string, unknown>;
  status?: {
    conditions?: Condition[];
    phase?: string;
    endpoint?: string;
    schema?: string;
    observedGeneration?: number;
  };
};

const condition = (object: WithStatus | undefined, type: string) =>
  object?.status?.conditions?.find((c) => c.type === type);

function workspace(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'livetables.dev/v1alpha1',
    kind: 'Workspace',
    metadata: { name, namespace: 'default' },
    spec: { owner: { email: `owner@${name}.test` }, deletionPolicy: 'Delete', ...spec },
  };
}

const child = (plural: string, apiVersion: string, name: string) => ({
  apiVersion,
  plural,
  namespace: 'default',
  name: `lt-${name}`,
});
const DEPLOYMENT = (name: string) => child('deployments', 'apps/v1', name);
const SERVICE = (name: string) => child('services', 'v1', name);

describe('operator: Workspaces against the Kubernetes API test server and real PostgreSQL', function () {
  this.timeout(60_000);
  let stack: OperatorStack;
  before(async () => {
    stack = await startOperatorStack();
  });
  after(() => stack.stop());

  const ready = (name: string) =>
    stack.eventually(async () => {
      const ws = await stack.get<WithStatus>({ ...WORKSPACES, name });
      expect(condition(ws, 'Ready')?.status, JSON.stringify(ws?.status)).to.equal('True');
      return ws as WithStatus;
    });

  const tenantExists = async (name: string) =>
    stack.platform.admin(async (c) => {
      const schema = `lt_ws_${name.replaceAll('-', '_')}`;
      const { rows } = await c.query(
        `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = $1)::int AS schemas,
                (SELECT count(*) FROM pg_roles WHERE rolname = $1)::int AS roles`,
        [schema],
      );
      return rows[0] as { schemas: number; roles: number };
    });

  it('makes a Workspace ready: schema and role, Secret, Deployment, Service, NetworkPolicy, owned by it', async () => {
    const name = stack.platform.tenantName('acme');
    await stack.client.create(WORKSPACES, workspace(name, { displayName: 'Acme Inc' }));
    const ws = await ready(name);
    expect(ws.status).to.include({
      phase: 'Ready',
      endpoint: `http://lt-${name}.default.svc:8080`,
      schema: `lt_ws_${name.replaceAll('-', '_')}`,
      observedGeneration: ws.metadata?.generation,
    });
    expect(
      ['Ready', 'DatabaseReady', 'DataPlaneAvailable'].map((t) => condition(ws, t)?.status),
    ).to.deep.equal(['True', 'True', 'True']);
    expect(await tenantExists(name)).to.deep.equal({ schemas: 1, roles: 1 });
    for (const ref of [
      child('secrets', 'v1', name),
      DEPLOYMENT(name),
      SERVICE(name),
      child('networkpolicies', 'networking.k8s.io/v1', name),
    ]) {
      const object = await stack.get(ref);
      expect(object, ref.plural).to.not.equal(undefined);
      expect(object?.metadata?.ownerReferences?.[0]).to.include({
        kind: 'Workspace',
        name,
        uid: ws.metadata?.uid,
      });
      expect(object?.metadata?.labels?.['app.kubernetes.io/managed-by']).to.equal('live-tables-operator');
    }
    const deployment = (await stack.get(DEPLOYMENT(name))) as {
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    };
    const env = Object.fromEntries(
      deployment.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]),
    );
    expect(env).to.include({ LT_WORKSPACE: name, LT_DISPLAY_NAME: 'Acme Inc', NODE_ENV: 'production' });
    expect(await stack.get(child('poddisruptionbudgets', 'policy/v1', name))).to.equal(undefined);
  });

  it('repairs drift: a deleted Service comes back, an edited Deployment is set back', async () => {
    const name = stack.platform.tenantName('drift');
    await stack.client.create(WORKSPACES, workspace(name, { replicas: 2 }));
    await ready(name);
    await stack.client.delete(SERVICE(name));
    await stack.eventually(async () => expect(await stack.get(SERVICE(name))).to.not.equal(undefined));
    await stack.client.patch(DEPLOYMENT(name), { spec: { replicas: 5 } });
    await stack.eventually(async () => {
      const deployment = (await stack.get(DEPLOYMENT(name))) as { spec: { replicas: number } };
      expect(deployment.spec.replicas).to.equal(2);
    });
    // replicas 2: a PodDisruptionBudget; back to 1: it goes.
    expect(await stack.get(child('poddisruptionbudgets', 'policy/v1', name))).to.not.equal(undefined);
    await stack.client.patch({ ...WORKSPACES, name }, { spec: { replicas: 1 } });
    await stack.eventually(async () =>
      expect(await stack.get(child('poddisruptionbudgets', 'policy/v1', name))).to.equal(undefined),
    );
  });

  it('adds an HPA and an Ingress when asked, removes them when no longer, and records Events', async () => {
    const name = stack.platform.tenantName('scale');
    await stack.client.create(WORKSPACES, workspace(name));
    await ready(name);
    const HPA = child('horizontalpodautoscalers', 'autoscaling/v2', name);
    const INGRESS = child('ingresses', 'networking.k8s.io/v1', name);
    await stack.client.patch(
      { ...WORKSPACES, name },
      {
        spec: {
          autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
          ingress: { host: `${name}.example.test`, className: 'nginx', tls: { secretName: 'tls' } },
        },
      },
    );
    const hpa = await stack.eventually(async () => {
      const found = await stack.get<KubeObject & { spec: { minReplicas: number; maxReplicas: number } }>(HPA);
      expect(found).to.not.equal(undefined);
      return found as KubeObject & { spec: { minReplicas: number; maxReplicas: number } };
    });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).to.deep.equal([2, 5]);
    const ingress = (await stack.eventually(async () => {
      const found = await stack.get(INGRESS);
      expect(found).to.not.equal(undefined);
      return found;
    })) as { spec: { ingressClassName: string; rules: { host: string }[] } };
    expect(ingress.spec.ingressClassName).to.equal('nginx');
    expect(ingress.spec.rules[0]?.host).to.equal(`${name}.example.test`);
    await stack.client.patch({ ...WORKSPACES, name }, { spec: { autoscaling: null, ingress: null } });
    await stack.eventually(async () => {
      expect(await stack.get(HPA)).to.equal(undefined);
      expect(await stack.get(INGRESS)).to.equal(undefined);
    });
    const events = (
      await stack.client.list<KubeObject & { reason: string; involvedObject: { name: string } }>({
        apiVersion: 'v1',
        plural: 'events',
        namespace: 'default',
      })
    ).items.filter((e) => e.involvedObject.name === name);
    expect(events.map((e) => e.reason)).to.include.members([
      'RoleCreated',
      'SchemaCreated',
      'SecretCreated',
      'DeploymentCreated',
      'ServiceCreated',
      'HorizontalPodAutoscalerCreated',
      'IngressCreated',
      'HorizontalPodAutoscalerDeleted',
      'IngressDeleted',
      'Ready',
    ]);
  });

  it('changes nothing on a second reconcile of a Workspace that is as it should be', async () => {
    const name = stack.platform.tenantName('noop');
    await stack.client.create(WORKSPACES, workspace(name));
    await ready(name);
    await stack.operator.idle();
    await stack.api.settled();
    const writes = () =>
      stack.api.requests.filter((r) => r.method !== 'GET' && !r.url.includes('/leases/')).length;
    const before = writes();
    stack.operator.resyncNow();
    await stack.operator.idle();
    expect(writes(), 'a resync: nothing moved, nothing computed').to.equal(before);
    stack.operator.resyncNow({ full: true });
    await stack.operator.idle();
    expect(writes(), 'a full resync: everything compared, nothing written').to.equal(before);
  });

  it('Delete drops the schema and the role, then the Workspace and its children go', async () => {
    const name = stack.platform.tenantName('gone');
    await stack.client.create(WORKSPACES, workspace(name));
    await ready(name);
    await stack.client.delete({ ...WORKSPACES, name });
    await stack.eventually(async () => expect(await stack.get({ ...WORKSPACES, name })).to.equal(undefined));
    expect(await tenantExists(name)).to.deep.equal({ schemas: 0, roles: 0 });
    await stack.api.settled();
    expect(await stack.get(DEPLOYMENT(name))).to.equal(undefined);
    expect(await stack.get(child('secrets', 'v1', name))).to.equal(undefined);
  });

  it('Retain keeps the schema and the role (login disabled) when the Workspace goes', async () => {
    const name = stack.platform.tenantName('kept');
    await stack.client.create(WORKSPACES, workspace(name, { deletionPolicy: 'Retain' }));
    await ready(name);
    await stack.client.delete({ ...WORKSPACES, name });
    await stack.eventually(async () => expect(await stack.get({ ...WORKSPACES, name })).to.equal(undefined));
    expect(await tenantExists(name)).to.deep.equal({ schemas: 1, roles: 1 });
    const login = await stack.platform.admin(
      async (c) =>
        (
          await c.query('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [
            `lt_ws_${name.replaceAll('-', '_')}`,
          ])
        ).rows[0]?.rolcanlogin,
    );
    expect(login).to.equal(false);
    await stack.platform.admin((c) => c.query(`DROP SCHEMA lt_ws_${name.replaceAll('-', '_')} CASCADE`));
  });
});
