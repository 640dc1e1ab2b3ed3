import { expect } from 'chai';
import { desiredDeployment } from '../../../../operator/src/desired/deployment.js';
import { specHash } from '../../../../operator/src/desired/spec-hash.js';
import { resolveWorkspaceSpec } from '../../../../operator/src/resources/workspace.schema.js';
import { CONFIG, inputs } from './inputs.js';

describe('operator desired state: the Deployment', () => {
  it('runs the dataplane in tenant mode, exactly as operator/README.md describes', () => {
    const given = inputs({ displayName: 'Acme Inc', replicas: 2 });
    const deployment = desiredDeployment(given);
    const hash = specHash(resolveWorkspaceSpec(given.workspace), '77');
    expect(deployment.spec).to.deep.equal({
      replicas: 2,
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'live-tables-dataplane',
          'app.kubernetes.io/instance': 'acme',
        },
      },
      template: {
        metadata: {
          labels: {
            'app.kubernetes.io/name': 'live-tables-dataplane',
            'app.kubernetes.io/instance': 'acme',
            'app.kubernetes.io/component': 'dataplane',
            'app.kubernetes.io/managed-by': 'live-tables-operator',
            'app.kubernetes.io/part-of': 'live-tables',
          },
          annotations: { 'livetables.dev/spec-hash': hash },
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'dataplane',
              image: 'ghcr.io/example/dataplane:1.0.0',
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              env: [
                { name: 'LT_WORKSPACE', value: 'acme' },
                { name: 'LT_SCHEMA', value: 'lt_ws_acme' },
                { name: 'LT_DISPLAY_NAME', value: 'Acme Inc' },
                { name: 'NODE_ENV', value: 'production' },
                { name: 'PORT', value: '8080' },
              ],
              envFrom: [{ secretRef: { name: 'lt-acme' } }],
              resources: { requests: { cpu: '100m', memory: '256Mi' } },
              startupProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                periodSeconds: 2,
                timeoutSeconds: 2,
                failureThreshold: 60,
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'http' },
                periodSeconds: 5,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: 10001,
                runAsGroup: 10001,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    });
  });

  const container = (given: ReturnType<typeof inputs>) => {
    const c = desiredDeployment(given).spec?.template.spec?.containers[0];
    if (!c) throw new Error('no container');
    return c;
  };

  it('takes the Workspace’s image and resources over the operator’s', () => {
    const c = container(
      inputs({
        image: 'registry.example/dp:canary',
        resources: { limits: { cpu: 2, memory: '1Gi' }, requests: { cpu: 0.5 } },
      }),
    );
    expect(c.image).to.equal('registry.example/dp:canary');
    expect(c.resources).to.deep.equal({ requests: { cpu: '0.5' }, limits: { cpu: '2', memory: '1Gi' } });
  });

  it('sets no resources when neither the Workspace nor DATAPLANE_RESOURCES gives any', () => {
    const c = container(
      inputs({}, { config: { ...CONFIG, dataplane: { ...CONFIG.dataplane, resources: {} } } }),
    );
    expect(c).to.not.have.property('resources');
  });

  it('displays the name when no displayName is given; REDIS_URL is no plain env value (the Secret has it)', () => {
    const c = container(inputs());
    expect(c.env?.map((e) => e.name)).to.deep.equal([
      'LT_WORKSPACE',
      'LT_SCHEMA',
      'LT_DISPLAY_NAME',
      'NODE_ENV',
      'PORT',
    ]);
    expect(c.env?.find((e) => e.name === 'LT_DISPLAY_NAME')?.value).to.equal('acme');
  });

  it('names the schema with - as _', () => {
    const given = inputs();
    given.workspace.metadata.name = 'acme-corp';
    expect(container(given).env?.find((e) => e.name === 'LT_SCHEMA')?.value).to.equal('lt_ws_acme_corp');
    expect(container(given).envFrom).to.deep.equal([{ secretRef: { name: 'lt-acme-corp' } }]);
  });

  it('tells the dataplane’s guard the hosts of the managed Connections (LT_CONNECTION_ALLOW), sorted and once each', () => {
    const c = container(
      inputs(
        {},
        {
          connectionTargets: [
            { host: 'Mariadb.Shop.svc', port: 3306, addresses: ['10.0.0.9'] },
            { host: '10.1.2.3', port: 5432, addresses: ['10.1.2.3'] },
            { host: 'mariadb.shop.svc', port: 3307, addresses: ['10.0.0.9'] },
          ],
        },
      ),
    );
    expect(c.env?.at(-1)).to.deep.equal({ name: 'LT_CONNECTION_ALLOW', value: '10.1.2.3,mariadb.shop.svc' });
  });

  it('leaves replicas to the HPA when autoscaling is on', () => {
    const deployment = desiredDeployment(
      inputs({ replicas: 3, autoscaling: { enabled: true, maxReplicas: 6 } }),
    );
    expect(deployment.spec).to.not.have.property('replicas');
    expect(desiredDeployment(inputs({ replicas: 0 })).spec?.replicas).to.equal(0);
  });
});
