import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { admit, CRD_FILES, loadCrd } from './crd-schema.js';
import { CHART, decode, helmTemplate, only, readText, run, template, type KubeObject } from './kube-tools.js';

const VERSION = (JSON.parse(readText('package.json')) as { version: string }).version;

/** The variables of the table "Configuration (environment)" of operator/README.md. */
function readmeVariables(): string[] {
  const section = readText('operator/README.md').split(/^## Configuration \(environment\)$/m)[1] ?? '';
  const table = section.split(/^## /m)[0] ?? '';
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1] as string));
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Container {
  name: string;
  image: string;
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  command?: string[];
  [field: string]: unknown;
}
interface PodSpec {
  containers: Container[];
  securityContext: Record<string, unknown>;
  volumes: { name: string; emptyDir?: object }[];
  serviceAccountName?: string;
  [field: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const spec = (o: KubeObject): Record<string, unknown> => o.spec as Record<string, unknown>;
const podSpec = (deployment: KubeObject): PodSpec => (spec(deployment).template as { spec: PodSpec }).spec;
const operatorContainer = (objects: KubeObject[]): Container =>
  podSpec(only(objects, 'Deployment')).containers[0] as Container;
const envOf = (objects: KubeObject[]): Map<string, EnvVar> =>
  new Map(operatorContainer(objects).env.map((e) => [e.name, e]));
const rulesOf = (o: KubeObject): Rule[] => o.rules as Rule[];

/** Every verb on every resource: rules compared independently of how they are grouped. */
const grants = (rules: Rule[]): string[] =>
  rules
    .flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) =>
          r.verbs.map(
            (v) => `${g || 'core'}/${res}:${v}${r.resourceNames ? `@${r.resourceNames.join(',')}` : ''}`,
          ),
        ),
      ),
    )
    .sort();

const g = (group: string, resources: string[], verbs: string[]): string[] =>
  resources.flatMap((r) => verbs.map((v) => `${group}/${r}:${v}`));
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch'];

/** What operator/README.md needs the operator to do, and no more. */
const TENANT_GRANTS = [
  ...g('livetables.dev', ['workspaces', 'connections'], ['get', 'list', 'watch', 'update', 'patch']),
  ...g('livetables.dev', ['workspaces/status', 'connections/status'], ['get', 'update', 'patch']),
  ...g('livetables.dev', ['workspaces/finalizers'], ['update']),
  ...g('core', ['secrets', 'services'], MANAGE),
  ...g('apps', ['deployments'], MANAGE),
  ...g('networking.k8s.io', ['networkpolicies'], MANAGE),
  ...g('networking.k8s.io', ['ingresses'], [...MANAGE, 'delete']),
  ...g('policy', ['poddisruptionbudgets'], [...MANAGE, 'delete']),
  ...g('autoscaling', ['horizontalpodautoscalers'], [...MANAGE, 'delete']),
  ...g('core', ['events'], ['create', 'patch']),
  ...g('events.k8s.io', ['events'], ['create', 'patch']),
].sort();

const LEASE_GRANTS = [
  'coordination.k8s.io/leases:create',
  'coordination.k8s.io/leases:get@live-tables-operator',
  'coordination.k8s.io/leases:patch@live-tables-operator',
  'coordination.k8s.io/leases:update@live-tables-operator',
];

describe('Helm chart charts/live-tables', function () {
  this.timeout(60_000);
  let defaults: KubeObject[];
  before(() => {
    defaults = template();
  });

  it('passes helm lint --strict', () => {
    const r = run('helm', ['lint', '--strict', CHART]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });

  it("has appVersion package.json's version, and tags both images with it by default", () => {
    expect(readText('charts/live-tables/Chart.yaml')).to.match(new RegExp(`^appVersion: '${VERSION}'$`, 'm'));
    expect(operatorContainer(defaults).image).to.equal(`live-tables-operator:${VERSION}`);
    expect(envOf(defaults).get('DATAPLANE_IMAGE')?.value).to.equal(`live-tables-dataplane:${VERSION}`);
    expect(only(defaults, 'Deployment').metadata.labels?.['app.kubernetes.io/version']).to.equal(VERSION);
  });

  it('renders the operator, its ServiceAccount, RBAC, metrics Service and test Pod with default values', () => {
    expect(defaults.map((o) => `${o.kind}/${o.metadata.name}`).sort()).to.deep.equal(
      [
        'ClusterRole/lt-live-tables-operator',
        'ClusterRoleBinding/lt-live-tables-operator',
        'Deployment/lt-live-tables-operator',
        'Pod/lt-live-tables-operator-test',
        'Role/lt-live-tables-operator-leader-election',
        'RoleBinding/lt-live-tables-operator-leader-election',
        'Service/lt-live-tables-operator',
        'ServiceAccount/lt-live-tables-operator',
      ].sort(),
    );
    for (const o of defaults) {
      expect(o.metadata.labels, o.kind).to.include({
        'app.kubernetes.io/name': 'live-tables',
        'app.kubernetes.io/instance': 'lt',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/part-of': 'live-tables',
        'helm.sh/chart': `live-tables-${VERSION}`,
      });
      if (!o.kind.startsWith('Cluster')) expect(o.metadata.namespace, o.kind).to.equal('live-tables');
    }
  });

  describe('operator Deployment', () => {
    it('runs 2 replicas (leader election) selected by stable labels', () => {
      const d = only(defaults, 'Deployment');
      expect(spec(d).replicas).to.equal(2);
      const selector = (spec(d).selector as { matchLabels: Record<string, string> }).matchLabels;
      expect(selector).to.deep.equal({
        'app.kubernetes.io/name': 'live-tables',
        'app.kubernetes.io/instance': 'lt',
        'app.kubernetes.io/component': 'operator',
      });
      const podLabels = (spec(d).template as { metadata: { labels: Record<string, string> } }).metadata
        .labels;
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
      const env = envOf(
        template({ 'redis.existingSecret.name': 'redis', 'redis.existingSecret.key': 'url' }),
      );
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

  describe('RBAC', () => {
    it('grants a ClusterRole exactly what the operator needs, bound to its ServiceAccount', () => {
      expect(grants(rulesOf(only(defaults, 'ClusterRole')))).to.deep.equal(TENANT_GRANTS);
      const binding = only(defaults, 'ClusterRoleBinding');
      expect(binding.roleRef).to.deep.equal({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'lt-live-tables-operator',
      });
      expect(binding.subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: 'lt-live-tables-operator', namespace: 'live-tables' },
      ]);
    });

    it('never grants wildcards, namespaces, pods or deletion of Secrets, Services, Deployments', () => {
      const all = grants(rulesOf(only(defaults, 'ClusterRole')));
      expect(all.filter((g) => g.includes('*'))).to.deep.equal([]);
      expect(all.filter((g) => /\/(namespaces|pods|nodes)/.test(g))).to.deep.equal([]);
      expect(
        all.filter((g) => /\/(secrets|services|deployments|networkpolicies):delete/.test(g)),
      ).to.deep.equal([]);
    });

    it('confines the Lease to its name in the release namespace', () => {
      const role = only(defaults, 'Role', 'lt-live-tables-operator-leader-election');
      expect(role.metadata.namespace).to.equal('live-tables');
      expect(grants(rulesOf(role))).to.deep.equal(LEASE_GRANTS);
      const binding = only(defaults, 'RoleBinding', 'lt-live-tables-operator-leader-election');
      expect(binding.roleRef).to.deep.include({
        kind: 'Role',
        name: 'lt-live-tables-operator-leader-election',
      });
    });

    it('with watchNamespace, grants a Role in that namespace instead of a ClusterRole', () => {
      const objects = template({ watchNamespace: 'tenants' });
      expect(objects.filter((o) => o.kind.startsWith('Cluster'))).to.deep.equal([]);
      const role = only(objects, 'Role', 'lt-live-tables-operator');
      expect(role.metadata.namespace).to.equal('tenants');
      expect(grants(rulesOf(role))).to.deep.equal(TENANT_GRANTS);
      const binding = only(objects, 'RoleBinding', 'lt-live-tables-operator');
      expect(binding.metadata.namespace).to.equal('tenants');
      expect(binding.roleRef).to.deep.include({ kind: 'Role', name: 'lt-live-tables-operator' });
      expect(binding.subjects).to.deep.equal([
        { kind: 'ServiceAccount', name: 'lt-live-tables-operator', namespace: 'live-tables' },
      ]);
      expect(only(objects, 'Role', 'lt-live-tables-operator-leader-election').metadata.namespace).to.equal(
        'live-tables',
      );
      expect(envOf(objects).get('WATCH_NAMESPACE')?.value).to.equal('tenants');
    });

    it('leaves RBAC and the ServiceAccount out when told to', () => {
      const objects = template({
        'rbac.create': false,
        'serviceAccount.create': false,
        'serviceAccount.name': 'mine',
      });
      expect(objects.map((o) => o.kind).sort()).to.deep.equal(['Deployment', 'Pod', 'Service']);
      expect(podSpec(only(objects, 'Deployment')).serviceAccountName).to.equal('mine');
    });
  });

  describe('metrics', () => {
    it('exposes the metrics port through a ClusterIP Service selecting the operator pods', () => {
      const svc = spec(only(defaults, 'Service'));
      expect(svc.type).to.equal('ClusterIP');
      expect(svc.ports).to.deep.equal([
        { name: 'metrics', port: 8081, targetPort: 'metrics', protocol: 'TCP' },
      ]);
      expect(svc.selector).to.deep.equal(
        (spec(only(defaults, 'Deployment')).selector as { matchLabels: object }).matchLabels,
      );
    });

    it('adds a ServiceMonitor for the Service only when serviceMonitor.enabled', () => {
      expect(defaults.filter((o) => o.kind === 'ServiceMonitor')).to.deep.equal([]);
      const objects = template({ 'serviceMonitor.enabled': true, 'serviceMonitor.labels.release': 'prom' });
      const sm = only(objects, 'ServiceMonitor');
      expect(sm.apiVersion).to.equal('monitoring.coreos.com/v1');
      expect(sm.metadata.labels).to.include({ release: 'prom', 'app.kubernetes.io/component': 'operator' });
      expect(spec(sm).selector).to.deep.equal({ matchLabels: spec(only(objects, 'Service')).selector });
      expect(spec(sm).namespaceSelector).to.deep.equal({ matchNames: ['live-tables'] });
      expect(spec(sm).endpoints).to.deep.equal([
        { port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' },
      ]);
    });
  });

  it('has a helm test Pod that checks /healthz through the Service, non-root', () => {
    const pod = only(defaults, 'Pod');
    expect(pod.metadata.annotations).to.include({ 'helm.sh/hook': 'test' });
    const p = pod.spec as PodSpec;
    expect(p.restartPolicy).to.equal('Never');
    const c = p.containers[0] as Container;
    expect(c.image).to.equal(`live-tables-operator:${VERSION}`);
    expect(c.command?.slice(0, 2)).to.deep.equal(['node', '-e']);
    expect(c.env).to.deep.equal([
      { name: 'HEALTHZ_URL', value: 'http://lt-live-tables-operator.live-tables.svc:8081/healthz' },
    ]);
    expect(p.securityContext).to.include({ runAsNonRoot: true });
    expect(c.securityContext).to.include({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  describe('values.schema.json', () => {
    /** What is refused, how it is set, and where helm says the schema failed. */
    const refused: [string, string[], string][] = [
      ['replicas: "two"', ['--set', 'replicas=two'], '/replicas'],
      ['an unknown value', ['--set', 'replica=2'], "additional properties 'replica'"],
      ['a log level pino lacks', ['--set', 'logLevel=loud'], '/logLevel'],
      ['an image pull policy Kubernetes lacks', ['--set', 'image.pullPolicy=Sometimes'], '/image/pullPolicy'],
      ['a CIDR that is none', ['--set', 'egress.databaseCIDR=10.0.0.0/33'], '/egress/databaseCIDR'],
      ['a namespace that is no DNS label', ['--set', 'watchNamespace=Tenants_1'], '/watchNamespace'],
      ['dataplane resources beside cpu and memory', ['--set', 'dataplane.resources.requests.gpu=1'], "'gpu'"],
      ['a quantity that is none', ['--set', 'resources.limits.memory=lots'], '/resources/limits/memory'],
      ['a Redis URL of another scheme', ['--set', 'redis.url=http://redis:6379'], '/redis/url'],
      [
        'both a Redis URL and a Secret',
        ['--set', 'redis.url=redis://r:6379', '--set', 'redis.existingSecret.name=r'],
        "/redis': 'not' failed",
      ],
      ['a metrics port out of range', ['--set', 'metrics.port=70000'], '/metrics/port'],
    ];
    for (const [what, args, where] of refused)
      it(`refuses ${what}`, () => {
        const r = helmTemplate({}, args);
        expect(r.status, r.stdout).to.not.equal(0);
        expect(r.stderr).to.include("values don't meet the specifications of the schema");
        expect(r.stderr).to.include(where);
      });

    it('describes the keys of values.yaml, each of which charts/README.md explains', () => {
      const schema = JSON.parse(readText('charts/live-tables/values.schema.json')) as {
        properties: Record<string, unknown>;
      };
      const keys = [...readText('charts/live-tables/values.yaml').matchAll(/^([A-Za-z]\w*):/gm)].map(
        (m) => m[1],
      );
      expect(Object.keys(schema.properties).filter((k) => k !== 'global')).to.have.members(keys);
      const readme = readText('charts/README.md');
      for (const key of keys) expect(readme, key).to.match(new RegExp(`\`${key}[.\`]`));
    });

    it('admits values.yaml as it is', () => {
      expect(helmTemplate().status).to.equal(0);
    });
  });

  describe('CRDs', () => {
    it('ships the files of crds/ and renders them with --include-crds', () => {
      const rendered = template({}, ['--include-crds']).filter((o) => o.kind === 'CustomResourceDefinition');
      const byName = new Map(rendered.map((o) => [o.metadata.name, o]));
      expect([...byName.keys()].sort()).to.deep.equal([
        'connections.livetables.dev',
        'workspaces.livetables.dev',
      ]);
      for (const file of CRD_FILES) {
        const source = loadCrd(file);
        expect(byName.get(source.metadata.name), file).to.deep.equal(source);
        expect(loadCrd(file, 'charts/live-tables/crds'), file).to.deep.equal(source);
      }
    });
  });

  it('packages into live-tables-<version>.tgz', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'lt-chart-'));
    try {
      const r = run('helm', ['package', CHART, '--destination', out]);
      expect(r.status, r.stderr).to.equal(0);
      expect(existsSync(path.join(out, `live-tables-${VERSION}.tgz`))).to.equal(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  describe('NOTES.txt', () => {
    const notes = (...args: string[]): string => {
      const r = run('helm', [
        'install',
        'lt',
        CHART,
        '--namespace',
        'live-tables',
        '--dry-run=client',
        ...args,
      ]);
      expect(r.status, r.stderr).to.equal(0);
      return r.stdout.split(/^NOTES:$/m)[1] ?? '';
    };

    it('says how to provide the platform Secret, create a Workspace and check its status', () => {
      const text = notes();
      for (const needle of [
        'kubectl -n live-tables create secret generic live-tables-platform-database',
        'kubectl apply -n default -f -',
        'kubectl get ltws -n default -w',
        'kubectl describe workspace acme -n default',
        'helm test lt -n live-tables',
      ])
        expect(text).to.include(needle);
      expect(notes('--set', 'watchNamespace=tenants')).to.include('kubectl get ltws -n tenants -w');
    });

    it('shows a Workspace the CRD admits', () => {
      const yaml = /cat <<'YAML'.*\n([\s\S]*?)\n\s*YAML\n/.exec(notes())?.[1] ?? '';
      const [workspace] = decode(yaml.replace(/^ {5}/gm, ''));
      expect(workspace?.kind).to.equal('Workspace');
      expect(admit(loadCrd('workspaces.livetables.dev.yaml'), workspace)).to.deep.equal([]);
    });
  });
});
