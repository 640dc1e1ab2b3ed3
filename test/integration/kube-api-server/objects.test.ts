import { expect } from 'chai';
import {
  AutoscalingV2Api,
  CoordinationV1Api,
  EventsV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  PatchStrategy,
  type V1Deployment,
  type V1Secret,
} from '@kubernetes/client-node';
import { startKubeApiServer } from '../../fixtures/kube-api-server/index.js';
import {
  deployment,
  failure,
  jsonPatch,
  mergePatch,
  serverSideApply,
  startKubeTestContext,
  strategicMergePatch,
  stopKubeTestContext,
  type KubeTestContext,
} from './kube-test-context.js';

/** Built-in kinds through @kubernetes/client-node: CRUD, metadata semantics, the patch kinds, subresources. */
describe('Kube API test server: built-in objects through client-node', () => {
  let ctx: KubeTestContext;
  const namespace = 'default';

  before(async () => {
    ctx = await startKubeTestContext();
  });

  after(() => stopKubeTestContext(ctx));

  it('starts with the namespaces of a fresh cluster, each with its default ServiceAccount', async () => {
    const namespaces = await ctx.core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).to.include.members([
      'default',
      'kube-system',
      'kube-public',
    ]);
    expect(namespaces.items[0]?.status?.phase).to.equal('Active');
    const accounts = await ctx.core.listNamespacedServiceAccount({ namespace });
    expect(accounts.items.map((a) => a.metadata?.name)).to.deep.equal(['default']);
  });

  it('sets uid, creationTimestamp, managedFields and one global resourceVersion on writes', async () => {
    const first = await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'meta-a' }, data: { a: '1' } },
    });
    const second = await ctx.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'meta-b' }, stringData: { b: '2' } },
    });
    expect(first.metadata?.uid).to.match(/^[0-9a-f-]{36}$/);
    expect(first.metadata?.creationTimestamp).to.be.instanceOf(Date);
    expect(first.metadata?.generation).to.equal(undefined);
    expect(Number(second.metadata?.resourceVersion)).to.equal(Number(first.metadata?.resourceVersion) + 1);
    expect(first.metadata?.managedFields?.[0]).to.include({ operation: 'Update', fieldsType: 'FieldsV1' });
    expect(second.data).to.deep.equal({ b: Buffer.from('2').toString('base64') });
    expect(second.type).to.equal('Opaque');
  });

  it('answers AlreadyExists, NotFound and Invalid as v1 Status objects', async () => {
    const body = { metadata: { name: 'twice' } };
    await ctx.core.createNamespacedConfigMap({ namespace, body });
    const exists = await failure(ctx.core.createNamespacedConfigMap({ namespace, body }));
    expect(exists).to.include({ kind: 'Status', status: 'Failure', reason: 'AlreadyExists', code: 409 });
    expect(exists.message).to.equal('configmaps "twice" already exists');
    const missing = await failure(ctx.apps.readNamespacedDeployment({ namespace, name: 'nothing' }));
    expect(missing).to.include({
      reason: 'NotFound',
      code: 404,
      message: 'deployments.apps "nothing" not found',
    });
    const badName = await failure(
      ctx.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'Bad_Name' } } }),
    );
    expect(badName).to.include({ reason: 'Invalid', code: 422 });
    expect(badName.details?.causes?.[0]?.field).to.equal('metadata.name');
    const noNamespace = await failure(
      ctx.core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }),
    );
    expect(noNamespace).to.include({ reason: 'NotFound', message: 'namespaces "nowhere" not found' });
  });

  it('generates names from generateName', async () => {
    const created = await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(created.metadata?.name).to.match(/^gen-[a-z0-9]{5}$/);
  });

  it('refuses an update from a stale resourceVersion with 409 Conflict', async () => {
    const created = await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'stale' }, data: { v: '1' } },
    });
    const updated = await ctx.core.replaceNamespacedConfigMap({
      namespace,
      name: 'stale',
      body: { ...created, data: { v: '2' } },
    });
    expect(Number(updated.metadata?.resourceVersion)).to.be.greaterThan(
      Number(created.metadata?.resourceVersion),
    );
    const stale = await failure(
      ctx.core.replaceNamespacedConfigMap({
        namespace,
        name: 'stale',
        body: { ...created, data: { v: '3' } },
      }),
    );
    expect(stale).to.include({ reason: 'Conflict', code: 409 });
    expect(stale.message).to.equal(
      'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again',
    );
    const stalePatch = await failure(
      ctx.core.patchNamespacedConfigMap(
        {
          namespace,
          name: 'stale',
          body: { metadata: { resourceVersion: created.metadata?.resourceVersion }, data: { v: '4' } },
        },
        mergePatch,
      ),
    );
    expect(stalePatch.reason).to.equal('Conflict');
    expect((await ctx.core.readNamespacedConfigMap({ namespace, name: 'stale' })).data).to.deep.equal({
      v: '2',
    });
  });

  it('does not write an update that changes nothing (same resourceVersion)', async () => {
    const created = await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'noop' }, data: { a: '1' } },
    });
    const again = await ctx.core.replaceNamespacedConfigMap({ namespace, name: 'noop', body: created });
    expect(again.metadata?.resourceVersion).to.equal(created.metadata?.resourceVersion);
  });

  it('filters lists by label selector and field selector', async () => {
    for (const [name, tier] of [
      ['sel-a', 'web'],
      ['sel-b', 'db'],
      ['sel-c', 'web'],
    ] as const)
      await ctx.core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name, labels: { suite: 'sel', tier } } },
      });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await ctx.core.listNamespacedConfigMap({ namespace, labelSelector, fieldSelector })).items.map(
        (i) => i.metadata?.name,
      );
    expect(await names('suite=sel,tier=web')).to.deep.equal(['sel-a', 'sel-c']);
    expect(await names('suite=sel,tier in (db)')).to.deep.equal(['sel-b']);
    expect(await names('suite=sel,tier!=web')).to.deep.equal(['sel-b']);
    expect(await names('suite,!missing', 'metadata.name=sel-c')).to.deep.equal(['sel-c']);
    expect(await names('suite=sel', 'metadata.name!=sel-a')).to.deep.equal(['sel-b', 'sel-c']);
    const all = await ctx.core.listConfigMapForAllNamespaces({
      fieldSelector: 'metadata.namespace=default',
      labelSelector: 'suite=sel',
    });
    expect(all.items).to.have.length(3);
  });

  it('pages lists with limit and continue', async () => {
    for (let i = 0; i < 5; i++)
      await ctx.core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: `page-${i}`, labels: { suite: 'page' } } },
      });
    const first = await ctx.core.listNamespacedConfigMap({
      namespace,
      labelSelector: 'suite=page',
      limit: 2,
    });
    expect(first.items.map((i) => i.metadata?.name)).to.deep.equal(['page-0', 'page-1']);
    expect(first.metadata?.remainingItemCount).to.equal(3);
    const second = await ctx.core.listNamespacedConfigMap({
      namespace,
      labelSelector: 'suite=page',
      limit: 2,
      _continue: first.metadata?._continue,
    });
    const third = await ctx.core.listNamespacedConfigMap({
      namespace,
      labelSelector: 'suite=page',
      limit: 2,
      _continue: second.metadata?._continue,
    });
    expect([...second.items, ...third.items].map((i) => i.metadata?.name)).to.deep.equal([
      'page-2',
      'page-3',
      'page-4',
    ]);
    expect(third.metadata?._continue).to.equal(undefined);
    expect(second.metadata?.resourceVersion).to.equal(first.metadata?.resourceVersion);
  });

  it('bumps generation on spec changes only, never on metadata or status changes', async () => {
    const created = await ctx.apps.createNamespacedDeployment({ namespace, body: deployment('gen') });
    expect(created.metadata?.generation).to.equal(1);
    const labelled = await ctx.apps.patchNamespacedDeployment(
      { namespace, name: 'gen', body: { metadata: { labels: { extra: 'yes' } } } },
      mergePatch,
    );
    expect(labelled.metadata?.generation).to.equal(1);
    const status = await ctx.apps.patchNamespacedDeploymentStatus(
      { namespace, name: 'gen', body: { status: { observedGeneration: 1, replicas: 1 } } },
      mergePatch,
    );
    expect(status.metadata?.generation).to.equal(1);
    expect(status.status?.replicas).to.equal(1);
    const scaled = await ctx.apps.patchNamespacedDeployment(
      { namespace, name: 'gen', body: { spec: { replicas: 3 } } },
      mergePatch,
    );
    expect(scaled.metadata?.generation).to.equal(2);
  });

  it('keeps status out of main-resource writes and everything else out of /status writes', async () => {
    await ctx.apps.createNamespacedDeployment({
      namespace,
      body: { ...deployment('iso'), status: { replicas: 7 } } as V1Deployment,
    });
    const read = await ctx.apps.readNamespacedDeployment({ namespace, name: 'iso' });
    expect(read.status?.replicas).to.equal(undefined);
    const viaMain = await ctx.apps.replaceNamespacedDeployment({
      namespace,
      name: 'iso',
      body: { ...read, status: { replicas: 5 } },
    });
    expect(viaMain.status?.replicas).to.equal(undefined);
    const viaStatus = await ctx.apps.replaceNamespacedDeploymentStatus({
      namespace,
      name: 'iso',
      body: { ...viaMain, spec: { ...viaMain.spec!, replicas: 9 }, status: { replicas: 5 } },
    });
    expect(viaStatus.status?.replicas).to.equal(5);
    expect(viaStatus.spec?.replicas).to.equal(1);
    expect(viaStatus.metadata?.managedFields?.some((m) => m.subresource === 'status')).to.equal(true);
  });

  it('merges containers, env and ports by their keys with a strategic merge patch', async () => {
    await ctx.apps.createNamespacedDeployment({
      namespace,
      body: deployment('smp', [
        {
          name: 'app',
          image: 'app:1',
          args: ['--a'],
          env: [{ name: 'A', value: '1' }],
          ports: [{ containerPort: 80 }],
        },
        { name: 'sidecar', image: 'sidecar:1' },
      ]),
    });
    const patched = await ctx.apps.patchNamespacedDeployment(
      {
        namespace,
        name: 'smp',
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'app:2',
                    args: ['--b'],
                    env: [{ name: 'B', value: '2' }],
                    ports: [{ containerPort: 81 }],
                  },
                ],
              },
            },
          },
        },
      },
      strategicMergePatch,
    );
    const containers = patched.spec?.template.spec?.containers ?? [];
    expect(containers.map((c) => `${c.name}=${c.image}`)).to.deep.equal(['app=app:2', 'sidecar=sidecar:1']);
    expect(containers[0]?.env?.map((e) => e.name)).to.deep.equal(['A', 'B']);
    expect(containers[0]?.ports?.map((p) => p.containerPort)).to.deep.equal([80, 81]);
    expect(containers[0]?.args).to.deep.equal(['--b']);
    const removed = await ctx.apps.patchNamespacedDeployment(
      {
        namespace,
        name: 'smp',
        body: { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } },
      },
      strategicMergePatch,
    );
    expect(removed.spec?.template.spec?.containers.map((c) => c.name)).to.deep.equal(['app']);
  });

  it('applies JSON patches, and answers 422 when an operation cannot apply', async () => {
    await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'jp' }, data: { a: '1' } },
    });
    const patched = await ctx.core.patchNamespacedConfigMap(
      {
        namespace,
        name: 'jp',
        body: [
          { op: 'test', path: '/data/a', value: '1' },
          { op: 'add', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'jp' } },
          { op: 'replace', path: '/data/a', value: '2' },
          { op: 'copy', from: '/data/a', path: '/data/b' },
        ],
      },
      jsonPatch,
    );
    expect(patched.data).to.deep.equal({ a: '2', b: '2' });
    expect(patched.metadata?.labels).to.deep.equal({ 'app.kubernetes.io/name': 'jp' });
    const failed = await failure(
      ctx.core.patchNamespacedConfigMap(
        { namespace, name: 'jp', body: [{ op: 'remove', path: '/data/missing' }] },
        jsonPatch,
      ),
    );
    expect(failed).to.include({ code: 422 });
  });

  it('applies merge patches, null deleting a field', async () => {
    await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'mp', labels: { a: '1', b: '2' } }, data: { x: '1' } },
    });
    const patched = await ctx.core.patchNamespacedConfigMap(
      { namespace, name: 'mp', body: { metadata: { labels: { a: null, c: '3' } }, data: { y: '2' } } },
      mergePatch,
    );
    expect(patched.metadata?.labels).to.deep.equal({ b: '2', c: '3' });
    expect(patched.data).to.deep.equal({ x: '1', y: '2' });
  });

  it('scales a Deployment through /scale', async () => {
    await ctx.apps.createNamespacedDeployment({ namespace, body: deployment('scaled') });
    const scale = await ctx.apps.readNamespacedDeploymentScale({ namespace, name: 'scaled' });
    expect(scale.spec?.replicas).to.equal(1);
    expect(scale.status?.selector).to.equal('app=scaled');
    await ctx.apps.patchNamespacedDeploymentScale(
      { namespace, name: 'scaled', body: { spec: { replicas: 4 } } },
      mergePatch,
    );
    const read = await ctx.apps.readNamespacedDeployment({ namespace, name: 'scaled' });
    expect(read.spec?.replicas).to.equal(4);
    expect(read.metadata?.generation).to.equal(2);
  });

  it('allocates a Service cluster IP and keeps it across updates that leave it out', async () => {
    const created = await ctx.core.createNamespacedService({
      namespace,
      body: { metadata: { name: 'svc' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } },
    });
    expect(created.spec?.clusterIP).to.match(/^10\.96\.\d+\.\d+$/);
    expect(created.spec?.ports?.[0]).to.include({ protocol: 'TCP', targetPort: 80 });
    const replaced = await ctx.core.replaceNamespacedService({
      namespace,
      name: 'svc',
      body: { ...created, spec: { ...created.spec, clusterIP: undefined, clusterIPs: undefined } },
    });
    expect(replaced.spec?.clusterIP).to.equal(created.spec?.clusterIP);
  });

  it('server-side applies: owned fields, conflicts between managers, force, removal of fields no longer applied', async () => {
    const config = (replicas: number, labels: Record<string, string>) => ({
      ...deployment('ssa'),
      metadata: { name: 'ssa', labels },
      spec: { ...deployment('ssa').spec, replicas },
    });
    const applied = await ctx.apps.patchNamespacedDeployment(
      { namespace, name: 'ssa', body: config(2, { app: 'ssa', team: 'a' }), fieldManager: 'alice' },
      serverSideApply,
    );
    expect(applied.metadata?.managedFields?.map((m) => `${m.manager}/${m.operation}`)).to.deep.equal([
      'alice/Apply',
    ]);
    const conflict = await failure(
      ctx.apps.patchNamespacedDeployment(
        { namespace, name: 'ssa', body: config(5, { app: 'ssa' }), fieldManager: 'bob' },
        serverSideApply,
      ),
    );
    expect(conflict).to.include({ reason: 'Conflict', code: 409 });
    expect(conflict.details?.causes).to.deep.equal([
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "alice" using apps/v1',
        field: '.spec.replicas',
      },
    ]);
    const forced = await ctx.apps.patchNamespacedDeployment(
      { namespace, name: 'ssa', body: config(5, { app: 'ssa' }), fieldManager: 'bob', force: true },
      serverSideApply,
    );
    expect(forced.spec?.replicas).to.equal(5);
    const reapplied = await ctx.apps.patchNamespacedDeployment(
      { namespace, name: 'ssa', body: config(5, { app: 'ssa' }), fieldManager: 'alice' },
      serverSideApply,
    );
    expect(reapplied.metadata?.labels).to.deep.equal({ app: 'ssa' });
    expect(reapplied.spec?.replicas).to.equal(5);
    const missingManager = await failure(
      ctx.apps.patchNamespacedDeployment({ namespace, name: 'ssa', body: config(1, {}) }, serverSideApply),
    );
    expect(missingManager.code).to.equal(400);
  });

  it('serves events.k8s.io Events from the same storage as core Events', async () => {
    const events = ctx.kubeConfig.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: 'ev-1' },
        eventTime: new Date(),
        reason: 'Ready',
        note: 'the workspace is ready',
        type: 'Normal',
        action: 'Reconcile',
        reportingController: 'live-tables-operator',
        reportingInstance: 'operator-0',
        regarding: { kind: 'Workspace', name: 'acme', namespace },
      },
    });
    const core = await ctx.core.readNamespacedEvent({ namespace, name: 'ev-1' });
    expect(core.message).to.equal('the workspace is ready');
    expect(core.involvedObject).to.include({ kind: 'Workspace', name: 'acme' });
    expect(core.reportingComponent).to.equal('live-tables-operator');
  });

  it('serves every kind the operator and its chart write', async () => {
    const networking = ctx.kubeConfig.makeApiClient(NetworkingV1Api);
    const policy = ctx.kubeConfig.makeApiClient(PolicyV1Api);
    const autoscaling = ctx.kubeConfig.makeApiClient(AutoscalingV2Api);
    const rbac = ctx.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    const coordination = ctx.kubeConfig.makeApiClient(CoordinationV1Api);
    const metadata = { name: 'lt-acme', labels: { 'app.kubernetes.io/instance': 'acme' } };
    const selector = { matchLabels: { 'app.kubernetes.io/instance': 'acme' } };
    await networking.createNamespacedNetworkPolicy({
      namespace,
      body: {
        metadata,
        spec: {
          podSelector: selector,
          policyTypes: ['Ingress', 'Egress'],
          egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
        },
      },
    });
    await networking.createNamespacedIngress({
      namespace,
      body: {
        metadata,
        spec: {
          rules: [
            {
              host: 'acme.example',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'lt-acme', port: { number: 8080 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    await policy.createNamespacedPodDisruptionBudget({
      namespace,
      body: { metadata, spec: { maxUnavailable: 1, selector } },
    });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace,
      body: {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'lt-acme' },
          minReplicas: 1,
          maxReplicas: 3,
        },
      },
    });
    await rbac.createClusterRole({
      body: {
        metadata: { name: 'live-tables-operator' },
        rules: [{ apiGroups: ['livetables.dev'], resources: ['workspaces'], verbs: ['*'] }],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'live-tables-operator' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'live-tables-operator' },
        subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace }],
      },
    });
    const lease = await coordination.createNamespacedLease({
      namespace,
      body: {
        metadata: { name: 'live-tables-operator' },
        spec: { holderIdentity: 'operator-0', leaseDurationSeconds: 15, renewTime: new Date() },
      },
    });
    const renewed = await coordination.replaceNamespacedLease({
      namespace,
      name: 'live-tables-operator',
      body: { ...lease, spec: { ...lease.spec, renewTime: new Date() } },
    });
    const lost = await failure(
      coordination.replaceNamespacedLease({
        namespace,
        name: 'live-tables-operator',
        body: { ...lease, spec: { ...lease.spec, holderIdentity: 'operator-1' } },
      }),
    );
    expect(lost.reason).to.equal('Conflict');
    expect(renewed.spec?.holderIdentity).to.equal('operator-0');
    expect(
      (await networking.readNamespacedNetworkPolicy({ namespace, name: 'lt-acme' })).metadata?.generation,
    ).to.equal(1);
    expect(
      (await policy.readNamespacedPodDisruptionBudget({ namespace, name: 'lt-acme' })).spec?.maxUnavailable,
    ).to.equal(1);
    expect(
      (await autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name: 'lt-acme' })).spec
        ?.maxReplicas,
    ).to.equal(3);
    expect((await networking.listIngressForAllNamespaces()).items.map((i) => i.metadata?.name)).to.deep.equal(
      ['lt-acme'],
    );
    expect((await rbac.readClusterRoleBinding({ name: 'live-tables-operator' })).roleRef.name).to.equal(
      'live-tables-operator',
    );
  });

  it('deletes a collection by label selector', async () => {
    for (const name of ['dc-a', 'dc-b'])
      await ctx.core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name, labels: { suite: 'dc' } } },
      });
    await ctx.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'dc-keep' } } });
    await ctx.core.deleteCollectionNamespacedConfigMap({ namespace, labelSelector: 'suite=dc' });
    const left = (await ctx.core.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name);
    expect(left).to.include('dc-keep');
    expect(left).to.not.include.members(['dc-a', 'dc-b']);
  });

  it('serves the generic KubernetesObjectApi, which finds resources through discovery', async () => {
    const objects = ctx.kubeConfig.makeApiClient(KubernetesObjectApi);
    const secret: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'generic', namespace },
      stringData: { k: 'v' },
    };
    const applied = await objects.patch(
      secret,
      undefined,
      undefined,
      'operator',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.managedFields?.[0]).to.include({ manager: 'operator', operation: 'Apply' });
    const read = await objects.read<V1Secret>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'generic', namespace },
    });
    expect(read.data).to.deep.equal({ k: Buffer.from('v').toString('base64') });
    const listed = await objects.list('apps/v1', 'Deployment', namespace);
    expect(listed.items.length).to.be.greaterThan(0);
  });

  it('demands the bearer token when one is configured', async () => {
    const guarded = await startKubeApiServer({ token: 's3cret' });
    try {
      const anonymous = await fetch(`${guarded.url}/api/v1/namespaces`);
      expect(anonymous.status).to.equal(401);
      const withToken = await fetch(`${guarded.url}/api/v1/namespaces`, {
        headers: { Authorization: 'Bearer s3cret' },
      });
      expect(withToken.status).to.equal(200);
    } finally {
      await guarded.stop();
    }
  });
});
