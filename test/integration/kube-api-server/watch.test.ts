import { expect } from 'chai';
import { makeInformer, Watch, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import {
  eventually,
  startKubeTestContext,
  stopKubeTestContext,
  type KubeTestContext,
} from './kube-test-context.js';

interface Seen {
  type: string;
  name: string;
  resourceVersion: string;
  code?: number;
  reason?: string;
  annotations?: Record<string, string>;
}

/** A client-node Watch that records its events until stopped. */
async function watchEvents(
  ctx: KubeTestContext,
  path: string,
  query: Record<string, string | boolean | number>,
) {
  const events: Seen[] = [];
  let ended: unknown = 'open';
  const controller = await new Watch(ctx.kubeConfig).watch(
    path,
    query,
    (
      type: string,
      object: {
        metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
        code?: number;
        reason?: string;
      },
    ) => {
      const seen: Seen = {
        type,
        name: object.metadata?.name ?? '',
        resourceVersion: object.metadata?.resourceVersion ?? '',
      };
      if (object.code !== undefined) seen.code = object.code;
      if (object.reason !== undefined) seen.reason = object.reason;
      if (object.metadata?.annotations) seen.annotations = object.metadata.annotations;
      events.push(seen);
    },
    (error: unknown) => {
      ended = error ?? null;
    },
  );
  return { events, controller, ended: () => ended };
}

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

/** Watches through client-node: resourceVersion resume, bookmarks, 410 Gone, informers, many clients. */
describe('Kube API test server: watch', () => {
  let ctx: KubeTestContext;
  const namespace = 'default';
  const configMap = (name: string, labels: Record<string, string> = {}) => ({
    metadata: { name, labels },
    data: { v: '1' },
  });

  beforeEach(async () => {
    ctx = await startKubeTestContext({ historySize: 20, bookmarkIntervalMs: 50 });
  });

  afterEach(() => stopKubeTestContext(ctx));

  it('streams ADDED, MODIFIED and DELETED after the listed resourceVersion, in order', async () => {
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('before') });
    const list = await ctx.core.listNamespacedConfigMap({ namespace });
    const watch = await watchEvents(ctx, CONFIGMAPS, {
      resourceVersion: list.metadata?.resourceVersion ?? '',
    });
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('w') });
    await ctx.core.patchNamespacedConfigMap(
      { namespace, name: 'w', body: [{ op: 'add', path: '/data/v', value: '2' }] },
      undefined,
    );
    await ctx.core.deleteNamespacedConfigMap({ namespace, name: 'w' });
    await eventually(() => (watch.events.length >= 3 ? true : undefined));
    watch.controller.abort();
    expect(watch.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal([
      'ADDED w',
      'MODIFIED w',
      'DELETED w',
    ]);
    const versions = watch.events.map((e) => Number(e.resourceVersion));
    expect(versions).to.deep.equal([...versions].sort((a, b) => a - b));
    expect(versions[0]).to.be.greaterThan(Number(list.metadata?.resourceVersion));
  });

  it('sends the current state first to a watch without resourceVersion, and ends it after timeoutSeconds', async () => {
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('existing') });
    const watch = await watchEvents(ctx, CONFIGMAPS, { timeoutSeconds: 1 });
    await eventually(() => (watch.ended() !== 'open' ? true : undefined), 3000);
    expect(watch.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal(['ADDED existing']);
  });

  it('sends BOOKMARKs periodically and on request, at the current resourceVersion', async () => {
    const watch = await watchEvents(ctx, CONFIGMAPS, {
      resourceVersion: String(ctx.server.store.resourceVersion),
      allowWatchBookmarks: true,
    });
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('marked') });
    await ctx.core.createNamespacedSecret({ namespace, body: { metadata: { name: 'elsewhere' } } });
    const bookmark = await eventually(() =>
      watch.events.find(
        (e) => e.type === 'BOOKMARK' && Number(e.resourceVersion) === ctx.server.store.resourceVersion,
      ),
    );
    expect(Number(bookmark.resourceVersion)).to.be.greaterThan(Number(watch.events[0]?.resourceVersion));
    const before = watch.events.length;
    ctx.server.sendBookmarks();
    await eventually(() => (watch.events.length > before ? true : undefined));
    const plain = await watchEvents(ctx, CONFIGMAPS, {
      resourceVersion: String(ctx.server.store.resourceVersion),
    });
    ctx.server.sendBookmarks();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(plain.events).to.deep.equal([]);
    watch.controller.abort();
    plain.controller.abort();
  });

  it('streams the initial state with sendInitialEvents and marks its end with a bookmark', async () => {
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('one') });
    const watch = await watchEvents(ctx, CONFIGMAPS, {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
    });
    const end = await eventually(() =>
      watch.events.find((e) => e.annotations?.['k8s.io/initial-events-end'] === 'true'),
    );
    expect(end.type).to.equal('BOOKMARK');
    expect(watch.events[0]).to.include({ type: 'ADDED', name: 'one' });
    watch.controller.abort();
  });

  it('answers a resourceVersion older than the history with an ERROR 410 Expired event and ends the watch', async () => {
    const first = await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('old') });
    for (let i = 0; i < 25; i++)
      await ctx.core.patchNamespacedConfigMap({
        namespace,
        name: 'old',
        body: [{ op: 'replace', path: '/data/v', value: String(i) }],
      });
    const watch = await watchEvents(ctx, CONFIGMAPS, {
      resourceVersion: first.metadata?.resourceVersion ?? '',
    });
    await eventually(() => (watch.ended() !== 'open' ? true : undefined));
    expect(watch.events).to.have.length(1);
    expect(watch.events[0]).to.include({ type: 'ERROR', code: 410, reason: 'Expired' });
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('second') });
    const page = await ctx.core.listNamespacedConfigMap({ namespace, limit: 1 });
    expect(page.metadata?._continue).to.be.a('string');
    for (let i = 0; i < 25; i++)
      await ctx.core.createNamespacedSecret({ namespace, body: { metadata: { name: `s-${i}` } } });
    const expiredContinue = await ctx.core
      .listNamespacedConfigMap({ namespace, limit: 1, _continue: page.metadata?._continue })
      .catch((e: { code?: number }) => e);
    expect((expiredContinue as { code?: number }).code).to.equal(410);
  });

  it('watches one object through the legacy /watch/ path', async () => {
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('single') });
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('other') });
    const watch = await watchEvents(ctx, '/api/v1/watch/namespaces/default/configmaps/single', {});
    await ctx.core.deleteNamespacedConfigMap({ namespace, name: 'other' });
    await ctx.core.deleteNamespacedConfigMap({ namespace, name: 'single' });
    await eventually(() => (watch.events.length >= 2 ? true : undefined));
    expect(watch.events.map((e) => `${e.type} ${e.name}`)).to.deep.equal(['ADDED single', 'DELETED single']);
    watch.controller.abort();
  });

  it('turns selector changes into ADDED and DELETED for a filtered watch', async () => {
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('flip', { tier: 'web' }) });
    const watch = await watchEvents(ctx, CONFIGMAPS, {
      labelSelector: 'tier=db',
      resourceVersion: String(ctx.server.store.resourceVersion),
    });
    const relabel = (tier: string) =>
      ctx.core.patchNamespacedConfigMap({
        namespace,
        name: 'flip',
        body: [{ op: 'replace', path: '/metadata/labels/tier', value: tier }],
      });
    await relabel('db');
    await relabel('web');
    await eventually(() => (watch.events.length >= 2 ? true : undefined));
    expect(watch.events.map((e) => e.type)).to.deep.equal(['ADDED', 'DELETED']);
    watch.controller.abort();
  });

  it('lets an informer resume from its resourceVersion, and relist after a 410', async () => {
    const listFn = () => ctx.core.listNamespacedConfigMap({ namespace });
    const informer = makeInformer<V1ConfigMap>(ctx.kubeConfig, CONFIGMAPS, listFn);
    const added: string[] = [];
    const deleted: string[] = [];
    const errors: unknown[] = [];
    informer.on('add', (o: KubernetesObject) => added.push(o.metadata?.name ?? ''));
    informer.on('delete', (o: KubernetesObject) => deleted.push(o.metadata?.name ?? ''));
    // Stopping aborts the watch request, which client-node reports as an error too.
    informer.on('error', (e: unknown) => (e as { type?: string }).type === 'aborted' || errors.push(e));
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('kept') });
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('gone') });
    await informer.start();
    await eventually(() => (added.length === 2 ? true : undefined));
    const lists = () => ctx.server.requests.filter((r) => r.method === 'GET' && r.url === CONFIGMAPS).length;
    expect(lists()).to.equal(1);

    // A short gap: the watch resumes from the informer's resourceVersion and replays what it missed.
    await informer.stop();
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('during-gap') });
    await informer.start();
    await eventually(() => (added.includes('during-gap') ? true : undefined));
    expect(lists()).to.equal(1);

    // A long gap: the history no longer holds its resourceVersion; 410, then a relist catches up.
    await informer.stop();
    await ctx.core.deleteNamespacedConfigMap({ namespace, name: 'gone' });
    for (let i = 0; i < 25; i++)
      await ctx.core.createNamespacedSecret({ namespace, body: { metadata: { name: `churn-${i}` } } });
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('after-gap') });
    await informer.start();
    await eventually(() => (added.includes('after-gap') && deleted.includes('gone') ? true : undefined));
    expect(lists()).to.equal(2);
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).to.deep.equal(['after-gap', 'during-gap', 'kept']);
    expect(errors).to.deep.equal([]);
    await informer.stop();
  });

  it('serves many concurrent watches and closes them all when the server stops', async () => {
    const watches = await Promise.all(
      Array.from({ length: 40 }, () =>
        watchEvents(ctx, CONFIGMAPS, { resourceVersion: String(ctx.server.store.resourceVersion) }),
      ),
    );
    await eventually(() => (ctx.server.openWatches() === 40 ? true : undefined));
    await ctx.core.createNamespacedConfigMap({ namespace, body: configMap('broadcast') });
    await eventually(() => (watches.every((w) => w.events.length === 1) ? true : undefined));
    await ctx.server.stop();
    await eventually(() => (watches.every((w) => w.ended() !== 'open') ? true : undefined));
    ctx = await startKubeTestContext();
  });
});
