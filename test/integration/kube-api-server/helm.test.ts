import { expect } from 'chai';
import { helm, kubectl, type ToolResult } from '../../fixtures/kube-api-server/kube-tools.js';
import {
  startKubeTestContext,
  stopKubeTestContext,
  TEST_CHART,
  type KubeTestContext,
} from './kube-test-context.js';

/** The real helm (v4, server-side apply by default) installing, upgrading and uninstalling the test chart. */
describe('Kube API test server: helm', function () {
  this.timeout(60_000);
  let ctx: KubeTestContext;
  const namespace = 'default';

  const ok = (result: ToolResult) => {
    expect(result.code, result.stderr).to.equal(0);
    return result.stdout;
  };
  const releaseSecrets = () =>
    ctx.server.store
      .list('secrets', namespace)
      .filter((s) => s.type === 'helm.sh/release.v1')
      .map((s) => `${s.metadata.name} ${(s.metadata.labels as Record<string, string>).status}`);

  before(async () => {
    ctx = await startKubeTestContext({ simulateDeployments: true });
  });

  after(() => stopKubeTestContext(ctx));

  it('installs a chart with a CRD and a custom resource of it, and waits for the Deployment', async () => {
    const out = ok(
      await helm(ctx.server, [
        'install',
        'demo',
        TEST_CHART,
        '--namespace',
        namespace,
        '--wait',
        '--timeout',
        '30s',
      ]),
    );
    expect(out).to.include('STATUS: deployed');
    const crd = await ctx.extensions.readCustomResourceDefinition({ name: 'workspaces.livetables.dev' });
    expect(crd.status?.conditions?.find((c) => c.type === 'Established')?.status).to.equal('True');
    const deployment = await ctx.apps.readNamespacedDeployment({ namespace, name: 'demo' });
    expect(deployment.metadata?.annotations).to.include({
      'meta.helm.sh/release-name': 'demo',
      'meta.helm.sh/release-namespace': namespace,
    });
    expect(deployment.metadata?.managedFields?.find((m) => m.manager === 'helm')?.operation).to.equal(
      'Apply',
    );
    expect(deployment.status?.availableReplicas).to.equal(2);
    const names = (kind: string) => ctx.server.store.list(kind, namespace).map((o) => o.metadata.name);
    expect(names('services')).to.deep.equal(['demo']);
    expect(names('serviceaccounts')).to.include('demo');
    expect(names('roles.rbac.authorization.k8s.io')).to.deep.equal(['demo']);
    expect(names('rolebindings.rbac.authorization.k8s.io')).to.deep.equal(['demo']);
    expect(names('workspaces.livetables.dev')).to.deep.equal(['demo-ws']);
    const config = await ctx.core.readNamespacedSecret({ namespace, name: 'demo-config' });
    expect(Buffer.from(config.data?.GREETING ?? '', 'base64').toString()).to.equal('hello');
    expect(releaseSecrets()).to.deep.equal(['sh.helm.release.v1.demo.v1 deployed']);
  });

  it('lists the release and reports its status from the release Secrets', async () => {
    const list = ok(await helm(ctx.server, ['list', '--namespace', namespace])).split('\n');
    expect(list[1]).to.match(/^demo\s+default\s+1\s+.*deployed\s+kapi-test-chart-0\.1\.0\s+1\.0\.0/);
    const status = ok(await helm(ctx.server, ['status', 'demo', '--namespace', namespace]));
    expect(status).to.include('STATUS: deployed');
    expect(status).to.include('REVISION: 1');
  });

  it('upgrades: changed templates are applied, the rollout waited for, the old revision superseded', async () => {
    const out = ok(
      await helm(ctx.server, [
        'upgrade',
        'demo',
        TEST_CHART,
        '--namespace',
        namespace,
        '--set',
        'image=registry.example/live-tables/dataplane:2.0.0',
        '--set',
        'greeting=hi',
        '--wait',
        '--timeout',
        '30s',
      ]),
    );
    expect(out).to.include('REVISION: 2');
    const deployment = await ctx.apps.readNamespacedDeployment({ namespace, name: 'demo' });
    expect(deployment.spec?.template.spec?.containers[0]?.image).to.equal(
      'registry.example/live-tables/dataplane:2.0.0',
    );
    expect(deployment.metadata?.generation).to.equal(2);
    expect(deployment.status?.observedGeneration).to.equal(2);
    const config = await ctx.core.readNamespacedSecret({ namespace, name: 'demo-config' });
    expect(Buffer.from(config.data?.GREETING ?? '', 'base64').toString()).to.equal('hi');
    expect(releaseSecrets()).to.deep.equal([
      'sh.helm.release.v1.demo.v1 superseded',
      'sh.helm.release.v1.demo.v2 deployed',
    ]);
    const history = ok(await helm(ctx.server, ['history', 'demo', '--namespace', namespace]));
    expect(history).to.match(/1\s+.*superseded/);
    expect(history).to.match(/2\s+.*deployed/);
  });

  it('uninstalls: the release objects and its Secrets are deleted, the CRD is kept', async () => {
    ok(await helm(ctx.server, ['uninstall', 'demo', '--namespace', namespace, '--wait', '--timeout', '30s']));
    await ctx.server.settled();
    for (const storage of [
      'deployments.apps',
      'services',
      'roles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io',
      'workspaces.livetables.dev',
    ])
      expect(ctx.server.store.list(storage, namespace), storage).to.deep.equal([]);
    expect(ctx.server.store.list('serviceaccounts', namespace).map((o) => o.metadata.name)).to.deep.equal([
      'default',
    ]);
    expect(ctx.server.store.list('secrets', namespace)).to.deep.equal([]);
    expect(ok(await kubectl(ctx.server, ['get', 'crd', 'workspaces.livetables.dev', '-o', 'name']))).to.equal(
      'customresourcedefinition.apiextensions.k8s.io/workspaces.livetables.dev\n',
    );
    expect(
      ok(await helm(ctx.server, ['list', '--namespace', namespace]))
        .trim()
        .split('\n'),
    ).to.have.length(1);
  });
});
