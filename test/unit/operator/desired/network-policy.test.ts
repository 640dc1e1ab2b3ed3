import { expect } from 'chai';
import { desiredNetworkPolicy } from '../../../../operator/src/desired/network-policy.js';
import { CONFIG, inputs } from './inputs.js';

const SELECTOR = { 'app.kubernetes.io/name': 'live-tables-dataplane', 'app.kubernetes.io/instance': 'acme' };
const ns = (name: string) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
});
const DNS = {
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

describe('operator desired state: the NetworkPolicy', () => {
  it('admits the ingress controller’s and the Workspace’s namespaces; egress to PostgreSQL, Redis and DNS only', () => {
    expect(desiredNetworkPolicy(inputs()).spec).to.deep.equal({
      podSelector: { matchLabels: SELECTOR },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ _from: [ns('ingress-nginx'), ns('tenants')], ports: [{ protocol: 'TCP', port: 'http' }] }],
      egress: [
        { to: [{ ipBlock: { cidr: '10.10.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
        { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 6379 }] },
        DNS,
      ],
    });
  });

  it('opens the http port to everyone when public APIs are enabled', () => {
    expect(desiredNetworkPolicy(inputs({ publicApi: { enabled: true } })).spec?.ingress).to.deep.equal([
      { _from: [ns('ingress-nginx'), ns('tenants')], ports: [{ protocol: 'TCP', port: 'http' }] },
      { ports: [{ protocol: 'TCP', port: 'http' }] },
    ]);
  });

  it('has no Redis rule without REDIS_URL, and names a namespace once when both are the same', () => {
    const given = inputs(
      {},
      { config: { ...CONFIG, ingressNamespace: 'tenants', egress: { ...CONFIG.egress, redis: undefined } } },
    );
    const spec = desiredNetworkPolicy(given).spec;
    expect(spec?.ingress?.[0]?._from).to.deep.equal([ns('tenants')]);
    expect(spec?.egress).to.have.length(2);
  });

  it('admits the addresses of the Connections, one rule per port, sorted', () => {
    const spec = desiredNetworkPolicy(
      inputs(
        {},
        {
          connectionTargets: [
            { host: 'db-b.shop.svc', port: 5432, addresses: ['10.0.0.20'] },
            { host: 'maria.shop.svc', port: 3306, addresses: ['10.0.0.9', 'fd00::9'] },
            { host: 'db-a.shop.svc', port: 5432, addresses: ['10.0.0.10', '10.0.0.20'] },
            { host: 'unresolved.example', port: 27017, addresses: [] },
          ],
        },
      ),
    ).spec;
    expect(spec?.egress?.slice(3)).to.deep.equal([
      {
        to: [{ ipBlock: { cidr: '10.0.0.9/32' } }, { ipBlock: { cidr: 'fd00::9/128' } }],
        ports: [{ protocol: 'TCP', port: 3306 }],
      },
      {
        to: [{ ipBlock: { cidr: '10.0.0.10/32' } }, { ipBlock: { cidr: '10.0.0.20/32' } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
  });
});
