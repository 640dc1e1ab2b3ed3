import { expect } from 'chai';
import type { JsonObject } from '../../fixtures/kube-api-server/json.js';
import { applyStrategicMergePatch } from '../../fixtures/kube-api-server/patch/strategic-merge-patch.js';
import { builtinSchema } from '../../fixtures/kube-api-server/resources/builtin-schemas.js';

/** The directives of strategic merge patch as kubectl's three-way patches use them, on built-in schemas. */
describe('Kube API test server: strategic merge patch directives', () => {
  const deployment = builtinSchema('Deployment');
  const podSpec = (spec: JsonObject): JsonObject => ({ spec: { template: { spec } } });
  const containersOf = (o: JsonObject) =>
    (((o.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[];
  const original = podSpec({
    containers: [
      {
        name: 'a',
        image: 'a:1',
        env: [{ name: 'X', value: '1' }],
        ports: [{ containerPort: 80, protocol: 'TCP' }],
      },
      { name: 'b', image: 'b:1' },
      { name: 'c', image: 'c:1' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  });

  it('reorders merged items by $setElementOrder, keeping unlisted items after them', () => {
    const patched = applyStrategicMergePatch(
      original,
      podSpec({
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }],
        containers: [{ name: 'a', image: 'a:2' }],
      }),
      deployment,
    );
    expect(containersOf(patched).map((c) => `${String(c.name)}=${String(c.image)}`)).to.deep.equal([
      'c=c:1',
      'a=a:2',
      'b=b:1',
    ]);
  });

  it('deletes items with $patch: delete, and replaces a whole list with $patch: replace', () => {
    const deleted = applyStrategicMergePatch(
      original,
      podSpec({ containers: [{ name: 'b', $patch: 'delete' }] }),
      deployment,
    );
    expect(containersOf(deleted).map((c) => c.name)).to.deep.equal(['a', 'c']);
    const replaced = applyStrategicMergePatch(
      original,
      podSpec({ containers: [{ $patch: 'replace' }, { name: 'z', image: 'z:1' }] }),
      deployment,
    );
    expect(containersOf(replaced)).to.deep.equal([{ name: 'z', image: 'z:1' }]);
  });

  it('replaces a map with $patch: replace and keeps only $retainKeys of a volume', () => {
    const map = applyStrategicMergePatch(
      original,
      { spec: { template: { $patch: 'replace', spec: { containers: [] } } } },
      deployment,
    );
    expect(map).to.deep.equal({ spec: { template: { spec: { containers: [] } } } });
    const volume = applyStrategicMergePatch(
      original,
      podSpec({ volumes: [{ name: 'data', $retainKeys: ['name', 'configMap'], configMap: { name: 'cm' } }] }),
      deployment,
    );
    expect(((volume.spec as JsonObject).template as JsonObject).spec).to.deep.include({
      volumes: [{ name: 'data', configMap: { name: 'cm' } }],
    });
  });

  it('merges primitive lists with a merge strategy as sets, and removes values by $deleteFromPrimitiveList', () => {
    const withFinalizers = { metadata: { finalizers: ['a.dev/x', 'b.dev/y'] } };
    const added = applyStrategicMergePatch(
      withFinalizers,
      { metadata: { finalizers: ['b.dev/y', 'c.dev/z'] } },
      deployment,
    );
    expect((added.metadata as JsonObject).finalizers).to.deep.equal(['a.dev/x', 'b.dev/y', 'c.dev/z']);
    const removed = applyStrategicMergePatch(
      withFinalizers,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.dev/x'] } },
      deployment,
    );
    expect((removed.metadata as JsonObject).finalizers).to.deep.equal(['b.dev/y']);
  });

  it('replaces lists without a merge strategy and deletes fields set to null', () => {
    const patched = applyStrategicMergePatch(
      podSpec({ containers: [{ name: 'a', args: ['--x', '--y'], image: 'a:1' }] }),
      podSpec({ containers: [{ name: 'a', args: ['--z'], image: null }] }),
      deployment,
    );
    expect(containersOf(patched)).to.deep.equal([{ name: 'a', args: ['--z'] }]);
  });

  it('merges Service ports by port and ownerReferences by uid', () => {
    const service = builtinSchema('Service');
    const patched = applyStrategicMergePatch(
      {
        metadata: { ownerReferences: [{ uid: '1', name: 'a', kind: 'X', apiVersion: 'v1' }] },
        spec: { ports: [{ port: 80, name: 'http' }] },
      },
      {
        metadata: { ownerReferences: [{ uid: '2', name: 'b', kind: 'X', apiVersion: 'v1' }] },
        spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }] },
      },
      service,
    );
    expect(patched).to.deep.equal({
      metadata: {
        ownerReferences: [
          { uid: '1', name: 'a', kind: 'X', apiVersion: 'v1' },
          { uid: '2', name: 'b', kind: 'X', apiVersion: 'v1' },
        ],
      },
      spec: { ports: [{ port: 80, name: 'http', targetPort: 8080 }, { port: 443 }] },
    });
  });
});
