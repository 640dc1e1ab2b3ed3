import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { admit, CRD_FILES, loadCrd } from './crd-schema.js';
import { CHART, decode, only, readText, run, template, type KubeObject } from './kube-tools.js';
import { envOf, operatorContainer, spec, VERSION, type Container, type PodSpec } from './rendered.js';

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
