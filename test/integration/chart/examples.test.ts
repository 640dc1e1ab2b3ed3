import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { admit, loadCrd, withDefaults, type Crd } from './crd-schema.js';
import { decodeFile, ROOT, type KubeObject } from './kube-tools.js';

interface Spec {
  [field: string]: unknown;
}

/** `kubectl apply -f examples/` as the API server would take it: every object admitted by its CRD. */
describe('examples/', () => {
  let objects: KubeObject[];
  let crds: Map<string, Crd>;
  before(() => {
    const files = readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).to.deep.equal(['connection.yaml', 'workspace.yaml']);
    objects = files.flatMap((f) => decodeFile(`examples/${f}`));
    crds = new Map(
      ['workspaces.livetables.dev.yaml', 'connections.livetables.dev.yaml'].map((f) => {
        const crd = loadCrd(f);
        return [crd.spec.names.kind, crd];
      }),
    );
  });
  const find = (kind: string, name: string): KubeObject => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`examples/ has no ${kind} ${name}`);
    return o;
  };

  it('holds the Workspace acme, the Connection warehouse and its Secret, all in namespace default', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).to.deep.equal([
      'Connection/default/warehouse',
      'Secret/default/warehouse-credentials',
      'Workspace/default/acme',
    ]);
  });

  it('has custom resources their CRDs admit, of the group and version the CRDs serve', () => {
    for (const o of objects.filter((x) => x.apiVersion.startsWith('livetables.dev/'))) {
      const crd = crds.get(o.kind);
      expect(crd, o.kind).to.not.equal(undefined);
      expect(o.apiVersion).to.equal(`${crd?.spec.group}/${crd?.spec.versions[0]?.name}`);
      expect(admit(crd as Crd, o), `${o.kind} ${o.metadata.name}`).to.deep.equal([]);
    }
  });

  it('Workspace acme: owner e-mail, deletionPolicy Delete, one replica', () => {
    const ws = find('Workspace', 'acme');
    const spec = withDefaults(crds.get('Workspace') as Crd, ws).spec as Spec;
    expect(spec.owner).to.deep.equal({ email: 'owner@acme.example' });
    expect(spec.deletionPolicy).to.equal('Delete');
    expect(spec.replicas).to.equal(1);
  });

  it('Connection warehouse: mysql at 127.0.0.1:3306, database lt_example, in Workspace acme', () => {
    const spec = find('Connection', 'warehouse').spec as Spec;
    expect(spec).to.deep.include({
      workspaceRef: { name: 'acme' },
      type: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      database: 'lt_example',
    });
    expect(find('Workspace', 'acme').metadata.namespace).to.equal(
      find('Connection', 'warehouse').metadata.namespace,
    );
  });

  it('the Secret holds the keys the Connection names: username root and an empty password', () => {
    const ref = (find('Connection', 'warehouse').spec as Spec).credentialsSecretRef as Record<string, string>;
    const secret = find('Secret', ref.name ?? '');
    expect(secret.type).to.equal('Opaque');
    const data = secret.stringData as Record<string, string>;
    expect(data[ref.usernameKey ?? 'username']).to.equal('root');
    expect(data[ref.passwordKey ?? 'password']).to.equal('');
  });
});
