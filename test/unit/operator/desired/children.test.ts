import { expect } from 'chai';
import { desiredWorkloads } from '../../../../operator/src/desired/desired-workloads.js';
import { desiredSecret } from '../../../../operator/src/desired/secret.js';
import { CONFIG, inputs } from './inputs.js';

const LABELS = {
  'app.kubernetes.io/name': 'live-tables-dataplane',
  'app.kubernetes.io/instance': 'acme',
  'app.kubernetes.io/component': 'dataplane',
  'app.kubernetes.io/managed-by': 'live-tables-operator',
  'app.kubernetes.io/part-of': 'live-tables',
};
const OWNER = {
  apiVersion: 'livetables.dev/v1alpha1',
  kind: 'Workspace',
  name: 'acme',
  uid: '6f1c2b9e-0000-4000-8000-000000000001',
  controller: true,
  blockOwnerDeletion: true,
};
const SELECTOR = { 'app.kubernetes.io/name': 'live-tables-dataplane', 'app.kubernetes.io/instance': 'acme' };

describe('operator desired state: the children of a Workspace', () => {
  const everything = inputs({
    replicas: 3,
    ingress: { host: 'acme.tables.example', className: 'nginx', tls: { secretName: 'acme-tls' } },
    autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 5 },
  });
  const all = desiredWorkloads(everything);
  const secret = desiredSecret(everything.workspace, {
    DATABASE_URL: 'postgres://x',
    JWT_SECRET: 'j',
    LT_MASTER_KEY: 'k',
    LT_OWNER_EMAIL: 'owner@acme.test',
  });
  const children = { secret, ...all };

  it('names every child lt-<name> in the Workspace’s namespace, with the five labels and the controller ownerReference', () => {
    for (const [kind, child] of Object.entries(children)) {
      expect(child, kind).to.not.equal(null);
      expect(child?.metadata, kind).to.deep.equal({
        name: 'lt-acme',
        namespace: 'tenants',
        labels: LABELS,
        ownerReferences: [OWNER],
      });
    }
    expect(Object.keys(children)).to.have.members([
      'secret',
      'deployment',
      'service',
      'networkPolicy',
      'podDisruptionBudget',
      'horizontalPodAutoscaler',
      'ingress',
    ]);
  });

  it('gives the kinds and API versions the API server expects', () => {
    expect(Object.values(children).map((c) => `${c?.apiVersion} ${c?.kind}`)).to.deep.equal([
      'v1 Secret',
      'apps/v1 Deployment',
      'v1 Service',
      'networking.k8s.io/v1 NetworkPolicy',
      'policy/v1 PodDisruptionBudget',
      'autoscaling/v2 HorizontalPodAutoscaler',
      'networking.k8s.io/v1 Ingress',
    ]);
  });

  it('Secret: Opaque, every value base64 in data', () => {
    expect(secret.type).to.equal('Opaque');
    expect(secret.data).to.deep.equal({
      DATABASE_URL: Buffer.from('postgres://x').toString('base64'),
      JWT_SECRET: Buffer.from('j').toString('base64'),
      LT_MASTER_KEY: Buffer.from('k').toString('base64'),
      LT_OWNER_EMAIL: Buffer.from('owner@acme.test').toString('base64'),
    });
  });

  it('Service: ClusterIP, 8080 to the pods’ http port', () => {
    expect(all.service.spec).to.deep.equal({
      type: 'ClusterIP',
      selector: SELECTOR,
      ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }],
    });
  });

  describe('PodDisruptionBudget', () => {
    it('maxUnavailable 1 when more than one replica runs', () => {
      expect(desiredWorkloads(inputs({ replicas: 2 })).podDisruptionBudget?.spec).to.deep.equal({
        maxUnavailable: 1,
        selector: { matchLabels: SELECTOR },
      });
    });
    it('none for one replica or none', () => {
      expect(desiredWorkloads(inputs()).podDisruptionBudget).to.equal(null);
      expect(desiredWorkloads(inputs({ replicas: 0 })).podDisruptionBudget).to.equal(null);
    });
    it('follows the autoscaler’s minimum when autoscaling is on', () => {
      expect(all.podDisruptionBudget).to.not.equal(null);
      const one = inputs({ replicas: 4, autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 4 } });
      expect(desiredWorkloads(one).podDisruptionBudget).to.equal(null);
    });
  });

  describe('HorizontalPodAutoscaler', () => {
    it('scales the Deployment on CPU between the bounds', () => {
      expect(all.horizontalPodAutoscaler?.spec).to.deep.equal({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'lt-acme' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
      });
    });
    it('none when autoscaling is off or not enabled', () => {
      expect(desiredWorkloads(inputs()).horizontalPodAutoscaler).to.equal(null);
      expect(
        desiredWorkloads(inputs({ autoscaling: { enabled: false, maxReplicas: 3 } })).horizontalPodAutoscaler,
      ).to.equal(null);
    });
  });

  describe('Ingress', () => {
    it('routes the host to the Service, with class and TLS when given', () => {
      expect(all.ingress?.spec).to.deep.equal({
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'acme.tables.example',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'lt-acme', port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
        tls: [{ hosts: ['acme.tables.example'], secretName: 'acme-tls' }],
      });
    });
    it('leaves out class and TLS when not given, and is none without spec.ingress', () => {
      const plain = desiredWorkloads(inputs({ ingress: { host: 'acme.example' } })).ingress;
      expect(plain?.spec).to.not.have.any.keys('ingressClassName', 'tls');
      expect(desiredWorkloads(inputs()).ingress).to.equal(null);
    });
  });

  it('uses the configuration it is given (no hidden defaults)', () => {
    expect(all.deployment.spec?.template.spec?.containers[0]?.image).to.equal(CONFIG.dataplane.image);
  });
});
