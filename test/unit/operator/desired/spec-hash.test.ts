import { expect } from 'chai';
import { desiredDeployment } from '../../../../operator/src/desired/deployment.js';
import type { Workspace } from '../../../../operator/src/resources/workspace.schema.js';
import { inputs } from './inputs.js';

const hashOf = (
  spec: Partial<Workspace['spec']> = {},
  secretResourceVersion = '77',
  tweak?: (w: Workspace) => void,
) => {
  const given = inputs(spec, { secretResourceVersion });
  tweak?.(given.workspace);
  return desiredDeployment(given).spec?.template.metadata?.annotations?.['livetables.dev/spec-hash'];
};

describe('operator desired state: the spec hash', () => {
  const base = hashOf();

  it('is a sha256 in hex', () => {
    expect(base).to.match(/^[0-9a-f]{64}$/);
  });

  it('changes when the spec changes', () => {
    const changes: Partial<Workspace['spec']>[] = [
      { displayName: 'Another' },
      { owner: { email: 'new@acme.test' } },
      { image: 'registry.example/dp:2' },
      { resources: { limits: { memory: '1Gi' } } },
      { deletionPolicy: 'Delete' },
      { publicApi: { enabled: true } },
      { ingress: { host: 'acme.example' } },
    ];
    const hashes = changes.map((c) => hashOf(c));
    for (const [i, hash] of hashes.entries()) expect(hash, JSON.stringify(changes[i])).to.not.equal(base);
    expect(new Set(hashes).size).to.equal(hashes.length);
  });

  it('changes when the Secret’s resourceVersion changes', () => {
    expect(hashOf({}, '78')).to.not.equal(base);
  });

  it('stays when nothing the pods see changed', () => {
    expect(hashOf()).to.equal(base);
    expect(
      hashOf({ displayName: 'acme', deletionPolicy: 'Retain', publicApi: { enabled: false } }),
      'explicit defaults',
    ).to.equal(base);
    expect(hashOf({ replicas: 5 }), 'scaling').to.equal(base);
    expect(hashOf({ autoscaling: { enabled: true, maxReplicas: 4 } }), 'autoscaling').to.equal(base);
    expect(
      hashOf({}, '77', (w) => {
        w.metadata.generation = 9;
        w.metadata.resourceVersion = '5000';
        w.metadata.labels = { team: 'a' };
        w.status = { phase: 'Ready' };
      }),
      'metadata and status',
    ).to.equal(base);
  });

  it('does not depend on key order', () => {
    const a = hashOf({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } } });
    const b = hashOf({ resources: { limits: { memory: '2Gi' }, requests: { memory: '1Gi', cpu: '1' } } });
    expect(a).to.equal(b);
  });
});
