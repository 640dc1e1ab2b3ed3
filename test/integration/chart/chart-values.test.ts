import { expect } from 'chai';
import { helmTemplate, readText } from './kube-tools.js';

describe('Helm chart: values.schema.json', function () {
  this.timeout(60_000);
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
