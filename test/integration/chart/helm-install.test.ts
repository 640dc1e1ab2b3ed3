import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { helm, kubectl } from '../../fixtures/kube-api-server/kube-tools.js';
import { startKubeApiServer, type KubeApiServer } from '../../fixtures/kube-api-server/index.js';

const CHART = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../charts/live-tables');

/**
 * `helm install` of charts/live-tables with the real helm, against the in-repo Kubernetes API
 * server: what a platform team runs first. The CRDs, the operator's Deployment, ServiceAccount,
 * RBAC and metrics Service are created; `helm upgrade` and `helm uninstall` work.
 */
describe('Helm chart: helm install, upgrade and uninstall (real helm, Kubernetes API test server)', function () {
  this.timeout(120_000);
  let api: KubeApiServer;
  before(async () => {
    api = await startKubeApiServer({ simulateDeployments: true });
  });
  after(() => api.stop());

  const ok = async (result: Promise<{ code: number; stdout: string; stderr: string }>) => {
    const { code, stdout, stderr } = await result;
    expect(code, stderr).to.equal(0);
    return stdout;
  };
  const names = async (kind: string, namespace?: string) =>
    (await ok(kubectl(api, ['get', kind, ...(namespace ? ['-n', namespace] : []), '-o', 'name'])))
      .trim()
      .split('\n');

  it('installs the CRDs and the operator, upgrades, and uninstalls', async () => {
    await ok(
      helm(api, [
        'install',
        'lt',
        CHART,
        '--namespace',
        'live-tables',
        '--create-namespace',
        '--set',
        'redis.url=redis://redis.platform.svc:6379',
      ]),
    );
    expect(await names('crd')).to.include.members([
      'customresourcedefinition.apiextensions.k8s.io/workspaces.livetables.dev',
      'customresourcedefinition.apiextensions.k8s.io/connections.livetables.dev',
    ]);
    const deployments = await names('deployments', 'live-tables');
    expect(deployments).to.have.lengthOf(1);
    const deployment = JSON.parse(
      await ok(kubectl(api, ['get', deployments[0] as string, '-n', 'live-tables', '-o', 'json'])),
    ) as {
      spec: {
        replicas: number;
        template: { spec: { serviceAccountName: string; containers: { env: { name: string }[] }[] } };
      };
    };
    expect(deployment.spec.replicas).to.equal(2);
    const env = deployment.spec.template.spec.containers[0]?.env.map((e) => e.name) ?? [];
    expect(env).to.include.members([
      'PLATFORM_DATABASE_URL',
      'REDIS_URL',
      'DATAPLANE_IMAGE',
      'POD_NAME',
      'POD_NAMESPACE',
    ]);
    expect(await names('serviceaccounts', 'live-tables')).to.include(
      `serviceaccount/${deployment.spec.template.spec.serviceAccountName}`,
    );
    expect((await names('clusterroles')).some((n) => n.includes('live-tables'))).to.equal(true);
    expect((await names('services', 'live-tables')).length).to.be.greaterThan(0);
    expect(await ok(helm(api, ['list', '--namespace', 'live-tables', '-o', 'json']))).to.include(
      '"status":"deployed"',
    );

    await ok(
      helm(api, [
        'upgrade',
        'lt',
        CHART,
        '--namespace',
        'live-tables',
        '--set',
        'replicas=3',
        '--set',
        'redis.url=redis://redis.platform.svc:6379',
      ]),
    );
    const upgraded = JSON.parse(
      await ok(
        kubectl(api, [
          'get',
          deployments[0] as string,
          '-n',
          'live-tables',
          '-o',
          'jsonpath={.spec.replicas}',
        ]),
      ),
    ) as number;
    expect(upgraded).to.equal(3);

    await ok(helm(api, ['uninstall', 'lt', '--namespace', 'live-tables']));
    await api.settled();
    expect(
      (await ok(kubectl(api, ['get', 'deployments', '-n', 'live-tables', '-o', 'name']))).trim(),
    ).to.equal('');
    // Helm keeps CRDs on uninstall (its documented rule for crds/): tenants' Workspaces survive.
    expect(await names('crd')).to.include(
      'customresourcedefinition.apiextensions.k8s.io/workspaces.livetables.dev',
    );
  });
});
