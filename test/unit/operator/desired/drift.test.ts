import { expect } from 'chai';
import { desiredWorkloads } from '../../../../operator/src/desired/desired-workloads.js';
import { findDrift } from '../../../../operator/src/desired/drift.js';
import { sameQuantity, quantityValue } from '../../../../operator/src/desired/quantity.js';
import { desiredSecret } from '../../../../operator/src/desired/secret.js';
import { inputs } from './inputs.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What the API server answers for an object created from `desired`: JSON names, its own fields and defaults. */
function asServerReturns(desired: object): Json {
  const json = JSON.parse(JSON.stringify(desired).replaceAll('"_from":', '"from":')) as Json;
  json.metadata = {
    ...json.metadata,
    uid: '2d7c0d8e-1111-4000-8000-00000000000a',
    resourceVersion: '9001',
    generation: 4,
    creationTimestamp: '2026-01-01T00:00:00Z',
    annotations: { 'deployment.kubernetes.io/revision': '3', ...json.metadata.annotations },
    managedFields: [{ manager: 'live-tables-operator', operation: 'Update', fieldsType: 'FieldsV1' }],
  };
  json.status = { observedGeneration: 4, replicas: 1 };
  return json;
}

function serverDeployment(desired: object): Json {
  const json = asServerReturns(desired);
  Object.assign(json.spec, {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  });
  const pod = json.spec.template.spec;
  Object.assign(pod, {
    restartPolicy: 'Always',
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
  });
  json.spec.template.metadata.creationTimestamp = null;
  json.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] = '2026-01-02T00:00:00Z';
  for (const c of pod.containers) {
    Object.assign(c, {
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    });
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      probe.successThreshold = 1;
      probe.httpGet.scheme = 'HTTP';
    }
    c.resources = { requests: { cpu: '500m', memory: '268435456' }, limits: { cpu: '2' } };
  }
  return json;
}

describe('operator desired state: drift', () => {
  const given = inputs({
    replicas: 2,
    resources: { requests: { cpu: 0.5, memory: '256Mi' }, limits: { cpu: '2000m' } },
  });
  const desired = desiredWorkloads(given);

  it('sees none when the object is as desired, whatever the API server added', () => {
    expect(findDrift(desired.deployment, serverDeployment(desired.deployment))).to.deep.equal({
      paths: [],
      patch: undefined,
    });
    const service = asServerReturns(desired.service);
    Object.assign(service.spec, {
      clusterIP: '10.96.0.12',
      clusterIPs: ['10.96.0.12'],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    });
    expect(findDrift(desired.service, service).paths).to.deep.equal([]);
    expect(findDrift(desired.networkPolicy, asServerReturns(desired.networkPolicy)).paths).to.deep.equal([]);
    const extraLabel = asServerReturns(desired.service);
    extraLabel.metadata.labels['team'] = 'platform';
    expect(findDrift(desired.service, extraLabel).paths, 'a label someone added is theirs').to.deep.equal([]);
  });

  it('compares the client’s model objects as well as the API server’s JSON (`_from` and `from`)', () => {
    expect(findDrift(desired.networkPolicy, structuredClone(desired.networkPolicy)).paths).to.deep.equal([]);
    const narrowed = asServerReturns(desired.networkPolicy);
    narrowed.spec.ingress[0].from.pop();
    const drift = findDrift(desired.networkPolicy, narrowed);
    expect(drift.paths).to.deep.equal(['spec.ingress']);
    expect(JSON.stringify(drift.patch)).to.include('"from":').and.not.include('_from');
  });

  it('sees a changed replica count, and patches just that', () => {
    const actual = serverDeployment(desired.deployment);
    actual.spec.replicas = 5;
    expect(findDrift(desired.deployment, actual)).to.deep.equal({
      paths: ['spec.replicas'],
      patch: { spec: { replicas: 2 } },
    });
  });

  it('sees a changed image, and patches the containers whole', () => {
    const actual = serverDeployment(desired.deployment);
    actual.spec.template.spec.containers[0].image = 'evil/image:latest';
    const drift = findDrift(desired.deployment, actual);
    expect(drift.paths).to.deep.equal(['spec.template.spec.containers']);
    expect(drift.patch).to.deep.equal({
      spec: { template: { spec: { containers: desired.deployment.spec?.template.spec?.containers } } },
    });
  });

  it('sees an added or removed env var, a removed label, a dropped owner reference, a changed annotation', () => {
    const cases: [string, (a: Json) => void, string][] = [
      [
        'env added',
        (a) => a.spec.template.spec.containers[0].env.push({ name: 'DEBUG', value: '1' }),
        'spec.template.spec.containers',
      ],
      ['env removed', (a) => a.spec.template.spec.containers[0].env.pop(), 'spec.template.spec.containers'],
      [
        'label removed',
        (a) => delete a.metadata.labels['app.kubernetes.io/part-of'],
        'metadata.labels.app.kubernetes.io/part-of',
      ],
      ['owner dropped', (a) => (a.metadata.ownerReferences = []), 'metadata.ownerReferences'],
      [
        'hash changed',
        (a) => (a.spec.template.metadata.annotations['livetables.dev/spec-hash'] = 'x'),
        'spec.template.metadata.annotations.livetables.dev/spec-hash',
      ],
      ['volume gone', (a) => (a.spec.template.spec.volumes = undefined), 'spec.template.spec.volumes'],
      [
        'emptyDir replaced',
        (a) => (a.spec.template.spec.volumes[0] = { name: 'tmp', hostPath: { path: '/' } }),
        'spec.template.spec.volumes',
      ],
      [
        'more memory',
        (a) => (a.spec.template.spec.containers[0].resources.requests.memory = '512Mi'),
        'spec.template.spec.containers',
      ],
    ];
    for (const [what, change, path] of cases) {
      const actual = serverDeployment(desired.deployment);
      change(actual);
      expect(findDrift(desired.deployment, actual).paths, what).to.deep.equal([path]);
    }
  });

  it('patches a whole missing subtree, and merges nested keys', () => {
    const actual = serverDeployment(desired.deployment);
    delete actual.metadata.labels;
    actual.spec.replicas = 1;
    const drift = findDrift(desired.deployment, actual);
    expect(drift.paths).to.deep.equal(['metadata.labels', 'spec.replicas']);
    expect(drift.patch).to.deep.equal({
      metadata: { labels: desired.deployment.metadata?.labels },
      spec: { replicas: 2 },
    });
  });

  it('sees an edited Secret value', () => {
    const values = {
      DATABASE_URL: 'postgres://a',
      JWT_SECRET: 'j',
      LT_MASTER_KEY: 'k',
      LT_OWNER_EMAIL: 'o@a.test',
    };
    const secret = desiredSecret(given.workspace, values);
    const actual = asServerReturns(secret);
    actual.data.JWT_SECRET = Buffer.from('guessable').toString('base64');
    actual.data.EXTRA = 'eA==';
    expect(findDrift(secret, actual)).to.deep.equal({
      paths: ['data.JWT_SECRET'],
      patch: { data: { JWT_SECRET: secret.data?.JWT_SECRET } },
    });
  });

  it('ignores apiVersion, kind and status (list items come without the first two)', () => {
    const actual = serverDeployment(desired.deployment);
    delete actual.apiVersion;
    delete actual.kind;
    actual.status = { replicas: 99 };
    expect(findDrift(desired.deployment, actual).paths).to.deep.equal([]);
  });

  it('reads Kubernetes quantities', () => {
    expect(quantityValue('500m')).to.equal(0.5);
    expect(quantityValue('1Gi')).to.equal(2 ** 30);
    expect(quantityValue('129e6')).to.equal(129e6);
    expect(quantityValue('1.5k')).to.equal(1500);
    expect(quantityValue('lots')).to.equal(undefined);
    expect(sameQuantity('0.5', '500m')).to.equal(true);
    expect(sameQuantity('256Mi', '268435456')).to.equal(true);
    expect(sameQuantity(2, '2000m')).to.equal(true);
    expect(sameQuantity('1G', '1Gi')).to.equal(false);
  });
});
