import { expect } from 'chai';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../../../dataplane/src/platform/logger.js';
import { KubeClient, type KubeObject } from '../../../operator/src/kube/kube-client.js';
import { Informer } from '../../../operator/src/runtime/informer.js';
import { startKubeApiServer, type KubeApiServer } from '../../fixtures/kube-api-server/index.js';

/** The operator's informer against the Kubernetes API test server: list, watch, resume, relist. */
describe('operator runtime: the informer (list, watch from a resourceVersion, bookmarks, 410 relist)', function () {
  this.timeout(30_000);
  let api: KubeApiServer;
  let client: KubeClient;
  let kc: KubeConfig;
  const CONFIGMAPS = { apiVersion: 'v1', plural: 'configmaps', namespace: 'default' };
  const log = createLogger('silent');

  before(async () => {
    api = await startKubeApiServer({ historySize: 20, bookmarkIntervalMs: 60_000 });
    kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
    client = new KubeClient(kc);
  });
  after(() => api.stop());

  const configMap = (name: string, labels: Record<string, string> = { informer: 'yes' }) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels },
    data: { v: '1' },
  });
  const until = async (check: () => boolean, ms = 5_000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  function informer() {
    const events: string[] = [];
    const inf = new Informer<KubeObject>(
      kc,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        plural: 'configmaps',
        namespace: 'default',
        labelSelector: 'informer=yes',
      },
      log,
    );
    for (const e of ['add', 'update', 'delete'] as const)
      inf.on(e, (o) => events.push(`${e}:${o.metadata?.name}`));
    return { inf, events };
  }

  it('lists first, then tells every change, only of the objects its selector names', async () => {
    await client.create(CONFIGMAPS, configMap('listed'));
    const { inf, events } = informer();
    await inf.start();
    expect(inf.hasSynced).to.equal(true);
    expect(events).to.deep.equal(['add:listed']);
    await client.create(CONFIGMAPS, configMap('other', { informer: 'no' }));
    await client.create(CONFIGMAPS, configMap('watched'));
    await client.patch({ ...CONFIGMAPS, name: 'watched' }, { data: { v: '2' } });
    await client.delete({ ...CONFIGMAPS, name: 'listed' });
    await until(() => events.length === 4);
    expect(events).to.deep.equal(['add:listed', 'add:watched', 'update:watched', 'delete:listed']);
    expect(inf.get('default', 'watched')).to.have.nested.property('data.v', '2');
    expect(inf.get('default', 'other')).to.equal(undefined);
    inf.stop();
  });

  it('resumes from its resourceVersion when the watch ends (no relist), and moves with bookmarks', async () => {
    const { inf, events } = informer();
    await inf.start();
    const lists = () =>
      api.requests.filter(
        (r) => r.method === 'GET' && r.url.includes('/configmaps') && !r.url.includes('watch='),
      ).length;
    const listed = lists();
    api.closeWatches();
    await client.create(CONFIGMAPS, configMap('after-close'));
    await until(() => events.includes('add:after-close'));
    expect(lists()).to.equal(listed); // resumed the watch, did not list again
    // A bookmark carries the newest resourceVersion even without a change of ours.
    await client.create(CONFIGMAPS, configMap('unrelated', { informer: 'no' }));
    const before = inf.lastResourceVersion;
    api.sendBookmarks();
    await until(() => inf.lastResourceVersion !== before);
    expect(Number(inf.lastResourceVersion)).to.be.greaterThan(Number(before));
    inf.stop();
  });

  it('lists again after 410 Gone and tells what it missed, deletions included', async () => {
    const { inf, events } = informer();
    await inf.start();
    await client.create(CONFIGMAPS, configMap('doomed'));
    await until(() => events.includes('add:doomed'));
    inf.stop(); // away while more changes happen than the server keeps
    await client.delete({ ...CONFIGMAPS, name: 'doomed' });
    for (let i = 0; i < 25; i++)
      await client.create(CONFIGMAPS, configMap(`burst-${i}`, { informer: i === 24 ? 'yes' : 'no' }));
    await inf.start(); // resumes from a resourceVersion the server forgot: 410, relist
    await until(() => events.includes('delete:doomed') && events.includes('add:burst-24'));
    expect(inf.get('default', 'doomed')).to.equal(undefined);
    inf.stop();
  });
});
