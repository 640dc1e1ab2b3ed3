import { expect } from 'chai';
import type { V1OwnerReference } from '@kubernetes/client-node';
import {
  eventually,
  failure,
  mergePatch,
  startKubeTestContext,
  workspace,
  workspaceCrd,
  WORKSPACES,
  stopKubeTestContext,
  type KubeTestContext,
} from './kube-test-context.js';

/** Deletion propagation by ownerReferences: Background, Foreground, Orphan; namespace deletion. */
describe('Kube API test server: garbage collection', () => {
  let ctx: KubeTestContext;
  const namespace = 'default';
  const at = { ...WORKSPACES, namespace };

  before(async () => {
    ctx = await startKubeTestContext();
    await ctx.extensions.createCustomResourceDefinition({ body: workspaceCrd() });
  });

  after(() => stopKubeTestContext(ctx));

  /** A Workspace owning a Secret and a ConfigMap (the first blocking owner deletion, as the operator's children do). */
  async function family(name: string, dependentFinalizers: string[] = []) {
    const owner = (await ctx.custom.createNamespacedCustomObject({ ...at, body: workspace(name) })) as {
      metadata: { uid: string };
    };
    const reference = (block: boolean): V1OwnerReference => ({
      apiVersion: 'livetables.dev/v1alpha1',
      kind: 'Workspace',
      name,
      uid: owner.metadata.uid,
      controller: block,
      blockOwnerDeletion: block,
    });
    await ctx.core.createNamespacedSecret({
      namespace,
      body: {
        metadata: {
          name: `${name}-secret`,
          ownerReferences: [reference(true)],
          finalizers: dependentFinalizers,
        },
      },
    });
    await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: `${name}-config`, ownerReferences: [reference(false)] } },
    });
    return owner.metadata.uid;
  }

  const secretGone = async (name: string) =>
    (await failure(ctx.core.readNamespacedSecret({ namespace, name }))).code === 404;
  const configGone = async (name: string) =>
    (await failure(ctx.core.readNamespacedConfigMap({ namespace, name }))).code === 404;
  const ownerGone = async (name: string) =>
    (await failure(ctx.custom.getNamespacedCustomObject({ ...at, name }))).code === 404;

  it('deletes dependents after their owner (Background, the default)', async () => {
    await family('bg');
    await ctx.custom.deleteNamespacedCustomObject({ ...at, name: 'bg' });
    expect(await ownerGone('bg')).to.equal(true);
    await ctx.server.settled();
    expect(await secretGone('bg-secret')).to.equal(true);
    expect(await configGone('bg-config')).to.equal(true);
  });

  it('keeps a Foreground-deleted owner until its blocking dependents are gone', async () => {
    await family('fg', ['example.dev/hold']);
    await ctx.custom.deleteNamespacedCustomObject({ ...at, name: 'fg', propagationPolicy: 'Foreground' });
    await ctx.server.settled();
    const owner = (await ctx.custom.getNamespacedCustomObject({ ...at, name: 'fg' })) as {
      metadata: { finalizers: string[]; deletionTimestamp?: string };
    };
    expect(owner.metadata.finalizers).to.deep.equal(['foregroundDeletion']);
    expect(owner.metadata.deletionTimestamp).to.be.a('string');
    expect(await configGone('fg-config')).to.equal(true);
    const held = await ctx.core.readNamespacedSecret({ namespace, name: 'fg-secret' });
    expect(held.metadata?.deletionTimestamp).to.be.instanceOf(Date);
    await ctx.core.patchNamespacedSecret(
      { namespace, name: 'fg-secret', body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await eventually(async () => ((await ownerGone('fg')) ? true : undefined));
    expect(await secretGone('fg-secret')).to.equal(true);
  });

  it('orphans dependents with Orphan: their references to the owner are removed', async () => {
    await family('orphan');
    await ctx.custom.deleteNamespacedCustomObject({ ...at, name: 'orphan', propagationPolicy: 'Orphan' });
    await eventually(async () => ((await ownerGone('orphan')) ? true : undefined));
    await ctx.server.settled();
    const secret = await ctx.core.readNamespacedSecret({ namespace, name: 'orphan-secret' });
    const config = await ctx.core.readNamespacedConfigMap({ namespace, name: 'orphan-config' });
    expect(secret.metadata?.ownerReferences).to.equal(undefined);
    expect(config.metadata?.ownerReferences).to.equal(undefined);
  });

  it('keeps a dependent that still has a live owner, dropping the reference to the deleted one', async () => {
    const first = await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner-1' } },
    });
    const second = await ctx.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner-2' } },
    });
    const ref = (o: typeof first): V1OwnerReference => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: o.metadata!.name!,
      uid: o.metadata!.uid!,
    });
    await ctx.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'shared', ownerReferences: [ref(first), ref(second)] } },
    });
    await ctx.core.deleteNamespacedConfigMap({ namespace, name: 'owner-1' });
    await ctx.server.settled();
    const shared = await ctx.core.readNamespacedSecret({ namespace, name: 'shared' });
    expect(shared.metadata?.ownerReferences?.map((r) => r.name)).to.deep.equal(['owner-2']);
    await ctx.core.deleteNamespacedConfigMap({ namespace, name: 'owner-2' });
    await ctx.server.settled();
    expect(await secretGone('shared')).to.equal(true);
  });

  it('deletes everything in a deleted namespace, then the namespace', async () => {
    await ctx.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await ctx.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'plain' } } });
    await ctx.core.createNamespacedConfigMap({
      namespace: 'doomed',
      body: { metadata: { name: 'held', finalizers: ['example.dev/hold'] } },
    });
    await ctx.core.deleteNamespace({ name: 'doomed' });
    await ctx.server.settled();
    const terminating = await ctx.core.readNamespace({ name: 'doomed' });
    expect(terminating.status?.phase).to.equal('Terminating');
    expect(terminating.spec?.finalizers).to.deep.equal(['kubernetes']);
    expect(ctx.server.store.list('configmaps', 'doomed').map((c) => c.metadata.name)).to.deep.equal(['held']);
    const refused = await failure(
      ctx.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } }),
    );
    expect(refused).to.include({ code: 403, reason: 'Forbidden' });
    await ctx.core.patchNamespacedConfigMap(
      { namespace: 'doomed', name: 'held', body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await ctx.server.settled();
    expect((await failure(ctx.core.readNamespace({ name: 'doomed' }))).code).to.equal(404);
    expect(ctx.server.store.list('configmaps', 'doomed')).to.deep.equal([]);
  });
});
