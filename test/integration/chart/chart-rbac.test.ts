import { expect } from 'chai';
import { only, template, type KubeObject } from './kube-tools.js';
import { envOf, podSpec } from './rendered.js';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

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

describe('Helm chart: RBAC', function () {
  this.timeout(60_000);
  let defaults: KubeObject[];
  before(() => {
    defaults = template();
  });

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
