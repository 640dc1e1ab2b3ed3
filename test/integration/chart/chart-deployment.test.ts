import { expect } from 'chai';
import { only, template, type KubeObject } from './kube-tools.js';
import { envOf, operatorContainer, podSpec, readmeVariables, spec, VERSION } from './rendered.js';

describe('Helm chart: the operator Deployment', function () {
  this.timeout(60_000);
  let defaults: KubeObject[];
  before(() => {
    defaults = template();
  });

  it('runs 2 replicas (leader election) selected by stable labels', () => {
    const d = only(defaults, 'Deployment');
    expect(spec(d).replicas).to.equal(2);
    const selector = (spec(d).selector as { matchLabels: Record<string, string> }).matchLabels;
    expect(selector).to.deep.equal({
      'app.kubernetes.io/name': 'live-tables',
      'app.kubernetes.io/instance': 'lt',
      'app.kubernetes.io/component': 'operator',
    });
    const podLabels = (spec(d).template as { metadata: { labels: Record<string, string> } }).metadata.labels;
    expect(podLabels).to.include(selector);
    expect(podSpec(d).serviceAccountName).to.equal('lt-live-tables-operator');
  });

  it('sets every variable of the configuration table of operator/README.md', () => {
    const documented = readmeVariables();
    expect(documented).to.include.members(['PLATFORM_DATABASE_URL', 'DATAPLANE_IMAGE', 'LOG_LEVEL']);
    const all = template({
      'platformDatabase.tenantHost': 'pg.internal:5432',
      'redis.url': 'redis://redis.live-tables.svc:6379',
      watchNamespace: 'tenants',
    });
    expect([...envOf(all).keys()].sort()).to.deep.equal([...documented].sort());
    const unsetByDefault = ['TENANT_DATABASE_HOST', 'REDIS_URL', 'WATCH_NAMESPACE'];
    expect([...envOf(defaults).keys()].sort()).to.deep.equal(
      documented.filter((v) => !unsetByDefault.includes(v)).sort(),
    );
  });

  it('gives the defaults of operator/README.md, the platform URL from a Secret and the pod identity', () => {
    const env = envOf(defaults);
    const values = Object.fromEntries(
      [...env].filter(([, e]) => e.value !== undefined).map(([k, e]) => [k, e.value]),
    );
    expect(values).to.deep.equal({
      DATAPLANE_IMAGE: `live-tables-dataplane:${VERSION}`,
      DATAPLANE_RESOURCES: JSON.stringify({
        limits: { memory: '512Mi' },
        requests: { cpu: '100m', memory: '256Mi' },
      }),
      INGRESS_NAMESPACE: 'ingress-nginx',
      EGRESS_DATABASE_CIDR: '0.0.0.0/0',
      EGRESS_REDIS_CIDR: '0.0.0.0/0',
      METRICS_PORT: '8081',
      RESYNC_SECONDS: '600',
      LEASE_DURATION_SECONDS: '15',
      CONNECTION_ALLOW: '',
      CONNECTION_DENY: '',
      CONNECTION_RECHECK_SECONDS: '300',
      LOG_LEVEL: 'info',
    });
    expect(env.get('PLATFORM_DATABASE_URL')?.valueFrom).to.deep.equal({
      secretKeyRef: { name: 'live-tables-platform-database', key: 'PLATFORM_DATABASE_URL' },
    });
    expect(env.get('POD_NAME')?.valueFrom).to.deep.equal({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env.get('POD_NAMESPACE')?.valueFrom).to.deep.equal({
      fieldRef: { fieldPath: 'metadata.namespace' },
    });
  });

  it('passes the values through: images, resources, namespaces, CIDRs, timings, log level', () => {
    const env = envOf(
      template({
        'dataplane.image.repository': 'registry.example.com/lt/dataplane',
        'dataplane.image.tag': '1.2.3',
        'dataplane.resources.requests.cpu': '250m',
        ingressNamespace: 'traefik',
        'egress.databaseCIDR': '10.20.0.0/16',
        'egress.redisCIDR': '10.30.0.5/32',
        'metrics.port': 9090,
        resyncSeconds: 120,
        leaseDurationSeconds: 30,
        connectionRecheckSeconds: 60,
        logLevel: 'debug',
      }),
    );
    expect(env.get('DATAPLANE_IMAGE')?.value).to.equal('registry.example.com/lt/dataplane:1.2.3');
    expect(JSON.parse(env.get('DATAPLANE_RESOURCES')?.value ?? '')).to.deep.equal({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { memory: '512Mi' },
    });
    expect(env.get('INGRESS_NAMESPACE')?.value).to.equal('traefik');
    expect(env.get('EGRESS_DATABASE_CIDR')?.value).to.equal('10.20.0.0/16');
    expect(env.get('EGRESS_REDIS_CIDR')?.value).to.equal('10.30.0.5/32');
    expect(env.get('METRICS_PORT')?.value).to.equal('9090');
    expect(env.get('RESYNC_SECONDS')?.value).to.equal('120');
    expect(env.get('LEASE_DURATION_SECONDS')?.value).to.equal('30');
    expect(env.get('CONNECTION_RECHECK_SECONDS')?.value).to.equal('60');
    expect(env.get('LOG_LEVEL')?.value).to.equal('debug');
  });

  it('reads REDIS_URL from a Secret when asked to', () => {
    const env = envOf(template({ 'redis.existingSecret.name': 'redis', 'redis.existingSecret.key': 'url' }));
    expect(env.get('REDIS_URL')?.valueFrom).to.deep.equal({ secretKeyRef: { name: 'redis', key: 'url' } });
  });

  it('probes /healthz and /readyz on the metrics port 8081', () => {
    const c = operatorContainer(defaults);
    expect(c.ports).to.deep.equal([{ name: 'metrics', containerPort: 8081, protocol: 'TCP' }]);
    const probe = (name: string) => (c[name] as { httpGet: { path: string; port: string } }).httpGet;
    expect(probe('livenessProbe')).to.deep.equal({ path: '/healthz', port: 'metrics' });
    expect(probe('startupProbe')).to.deep.equal({ path: '/healthz', port: 'metrics' });
    expect(probe('readinessProbe')).to.deep.equal({ path: '/readyz', port: 'metrics' });
  });

  it('runs as uid 10001 on a read-only root filesystem, without privileges, with /tmp writable', () => {
    const pod = podSpec(only(defaults, 'Deployment'));
    expect(pod.securityContext).to.deep.include({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = operatorContainer(defaults);
    expect(c.securityContext).to.deep.equal({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.volumeMounts).to.deep.equal([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes.map((v) => [v.name, v.emptyDir !== undefined])).to.deep.equal([['tmp', true]]);
    expect(c.resources).to.deep.equal({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
  });

  it('places pods with nodeSelector, tolerations and affinity', () => {
    const pod = podSpec(
      only(
        template({}, [
          '--set-json',
          'nodeSelector={"pool":"system"}',
          '--set-json',
          'tolerations=[{"key":"system","operator":"Exists","effect":"NoSchedule"}]',
          '--set-json',
          'affinity={"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[]}}',
        ]),
        'Deployment',
      ),
    );
    expect(pod.nodeSelector).to.deep.equal({ pool: 'system' });
    expect(pod.tolerations).to.deep.equal([{ key: 'system', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.affinity).to.deep.equal({
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] },
    });
    expect(podSpec(only(defaults, 'Deployment'))).to.not.have.any.keys(
      'nodeSelector',
      'tolerations',
      'affinity',
    );
  });
});
