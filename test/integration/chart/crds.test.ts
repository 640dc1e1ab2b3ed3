import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { compileCel } from '../../fixtures/kube-api-server/cel/cel-program.js';
import { withCelMetadata } from '../../fixtures/kube-api-server/crd/validation-rules.js';
import type { JsonObject } from '../../fixtures/kube-api-server/json.js';
import { CRD_FILES, compile, fields, loadCrd, schemaOf, type Crd, type K8sSchema } from './crd-schema.js';
import { CHART, ROOT } from './kube-tools.js';

/** What operator/README.md names for each kind. */
const CONTRACT = {
  'workspaces.livetables.dev.yaml': {
    kind: 'Workspace',
    shortName: 'ltws',
    spec: [
      'displayName',
      'owner',
      'replicas',
      'resources',
      'image',
      'deletionPolicy',
      'publicApi',
      'ingress',
      'autoscaling',
    ],
    status: ['conditions', 'observedGeneration', 'endpoint', 'schema', 'phase'],
    columns: [
      ['Ready', 'string', '.status.conditions[?(@.type=="Ready")].status'],
      ['Endpoint', 'string', '.status.endpoint'],
      ['Age', 'date', '.metadata.creationTimestamp'],
    ],
  },
  'connections.livetables.dev.yaml': {
    kind: 'Connection',
    shortName: 'ltconn',
    spec: [
      'workspaceRef',
      'type',
      'host',
      'port',
      'database',
      'credentialsSecretRef',
      'readOnly',
      'tls',
      'pool',
    ],
    status: ['conditions', 'tables', 'lastCheckedAt', 'observedGeneration', 'connectionId', 'target'],
    columns: [
      ['Type', 'string', '.spec.type'],
      ['Ready', 'string', '.status.conditions[?(@.type=="Ready")].status'],
      ['Tables', 'integer', '.status.tables'],
      ['Age', 'date', '.metadata.creationTimestamp'],
    ],
  },
} as const;

const at = (schema: K8sSchema, dotted: string): K8sSchema => {
  let node: K8sSchema | undefined = schema;
  for (const name of dotted.split('.')) node = node?.properties?.[name];
  if (!node) throw new Error(`no field ${dotted}`);
  return node;
};

const rulesOf = (node: K8sSchema): string[] => (node['x-kubernetes-validations'] ?? []).map((v) => v.rule);

describe('CRDs (crds/)', () => {
  const crds = new Map<string, Crd>();
  before(() => {
    for (const file of CRD_FILES) crds.set(file, loadCrd(file));
  });
  const crd = (file: string): Crd => crds.get(file) as Crd;

  it('crds/ holds exactly the two CRDs', () => {
    const yaml = readdirSync(path.join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml'));
    expect(yaml.sort()).to.deep.equal([...CRD_FILES].sort());
  });

  for (const file of CRD_FILES) {
    const contract = CONTRACT[file];
    describe(file, () => {
      it('is a namespaced apiextensions.k8s.io/v1 CRD of livetables.dev, v1alpha1 served and stored', () => {
        const c = crd(file);
        expect(c.apiVersion).to.equal('apiextensions.k8s.io/v1');
        expect(c.kind).to.equal('CustomResourceDefinition');
        expect(c.metadata.name).to.equal(`${c.spec.names.plural}.livetables.dev`);
        expect(file).to.equal(`${c.metadata.name}.yaml`);
        expect(c.spec.group).to.equal('livetables.dev');
        expect(c.spec.scope).to.equal('Namespaced');
        expect(c.spec.versions.map((v) => [v.name, v.served, v.storage])).to.deep.equal([
          ['v1alpha1', true, true],
        ]);
        expect(c.spec.versions[0]?.subresources).to.deep.equal({ status: {} });
      });

      it(`names the kind ${contract.kind}, short name ${contract.shortName}, category livetables`, () => {
        const { names } = crd(file).spec;
        expect(names.kind).to.equal(contract.kind);
        expect(names.singular).to.equal(contract.kind.toLowerCase());
        expect(names.plural).to.equal(`${contract.kind.toLowerCase()}s`);
        expect(names.shortNames).to.deep.equal([contract.shortName]);
        expect(names.categories).to.deep.equal(['livetables']);
      });

      it('prints the columns of the contract', () => {
        const columns = crd(file).spec.versions[0]?.additionalPrinterColumns ?? [];
        expect(columns.map((c) => [c.name, c.type, c.jsonPath])).to.deep.equal(contract.columns);
        for (const c of columns) expect(c.description, c.name).to.be.a('string').and.not.have.lengthOf(0);
      });

      it('has exactly the spec and status fields of operator/README.md', () => {
        const schema = schemaOf(crd(file));
        expect(Object.keys(at(schema, 'spec').properties ?? {})).to.have.members([...contract.spec]);
        expect(Object.keys(at(schema, 'status').properties ?? {})).to.have.members([...contract.status]);
        expect(schema.required).to.deep.equal(['spec']);
      });

      it('describes every field (kubectl explain shows it)', () => {
        // The root metadata may hold nothing but its type (the API server supplies ObjectMeta's docs).
        const missing = [...fields(schemaOf(crd(file)))]
          .filter(([p]) => p !== '.metadata')
          .filter(([, node]) => typeof node.description !== 'string' || node.description.trim() === '')
          .map(([p]) => p);
        expect(missing).to.deep.equal([]);
      });

      it('is a structural schema: every field typed, no properties beside additionalProperties', () => {
        const problems: string[] = [];
        for (const [p, node] of fields(schemaOf(crd(file)))) {
          const intOrString = node['x-kubernetes-int-or-string'] === true;
          if (!node.type && !intOrString) problems.push(`${p}: no type`);
          if (intOrString && JSON.stringify(node.anyOf) !== '[{"type":"integer"},{"type":"string"}]')
            problems.push(`${p}: int-or-string without anyOf integer, string`);
          if (node.properties && node.additionalProperties !== undefined)
            problems.push(`${p}: properties and additionalProperties`);
        }
        // The API server refuses anything at the root metadata but its type and name/generateName
        // restrictions (not even a description); the name's limit is a CEL rule at the root instead.
        if (JSON.stringify(at(schemaOf(crd(file)), 'metadata')) !== '{"type":"object"}')
          problems.push('metadata: must be exactly {type: object}');
        if (schemaOf(crd(file)).additionalProperties !== undefined)
          problems.push('<root>: additionalProperties');
        for (const [p, node] of fields(schemaOf(crd(file))))
          if (node.type === 'array' && !node.items) problems.push(`${p}: an array without items`);
        expect(problems).to.deep.equal([]);
      });

      it('keys its conditions by type, in the shape of metav1.Condition', () => {
        const conditions = at(schemaOf(crd(file)), 'status.conditions');
        expect(conditions['x-kubernetes-list-type']).to.equal('map');
        expect(conditions['x-kubernetes-list-map-keys']).to.deep.equal(['type']);
        expect(Object.keys(conditions.items?.properties ?? {})).to.have.members([
          'type',
          'status',
          'observedGeneration',
          'lastTransitionTime',
          'reason',
          'message',
        ]);
        expect(conditions.items?.required).to.have.members([
          'type',
          'status',
          'lastTransitionTime',
          'reason',
          'message',
        ]);
        expect(conditions.items?.properties?.status?.enum).to.deep.equal(['True', 'False', 'Unknown']);
        expect(conditions.items?.properties?.lastTransitionTime?.format).to.equal('date-time');
      });

      it('has defaults its own schema admits', () => {
        const bad: string[] = [];
        for (const [p, node] of fields(schemaOf(crd(file)))) {
          const { default: value, ...withoutDefault } = node;
          if (value === undefined) continue;
          const validate = compile(withoutDefault);
          if (!validate(structuredClone(value))) bad.push(`${p}: ${JSON.stringify(validate.errors)}`);
        }
        expect(bad).to.deep.equal([]);
      });

      it('writes every CEL rule with a message, in the subset the test API server evaluates', () => {
        const rules = [...fields(schemaOf(crd(file)))].flatMap(([p, node]) =>
          (node['x-kubernetes-validations'] ?? []).map((v) => ({ p, node, ...v })),
        );
        expect(rules).to.not.have.lengthOf(0);
        for (const { p, node, rule, message } of rules) {
          expect(rule, p).to.be.a('string').and.not.have.lengthOf(0);
          expect(message, `${p}: ${rule}`).to.be.a('string').and.not.have.lengthOf(0);
          const own = node as unknown as JsonObject;
          const schema = p === '<root>' ? withCelMetadata(own) : own;
          expect(() => compileCel(rule, schema), `${p}: ${rule}`).to.not.throw();
        }
      });

      it('is copied unchanged into the chart (charts/live-tables/crds/)', () => {
        const source = readFileSync(path.join(ROOT, 'crds', file), 'utf8');
        const copy = readFileSync(path.join(CHART, 'crds', file), 'utf8');
        expect(copy, `run make chart to copy crds/${file} into the chart`).to.equal(source);
      });
    });
  }

  it('crds/README.md lists every CEL rule as written', () => {
    const readme = readFileSync(path.join(ROOT, 'crds/README.md'), 'utf8').replaceAll('\\|', '|');
    for (const file of CRD_FILES)
      for (const [, node] of fields(schemaOf(crd(file))))
        for (const { rule } of node['x-kubernetes-validations'] ?? [])
          expect(readme).to.include(`\`${rule}\``);
  });

  it('the chart ships no CRD that crds/ does not hold', () => {
    expect(readdirSync(path.join(CHART, 'crds')).sort()).to.deep.equal([...CRD_FILES].sort());
  });

  describe('Workspace fields', () => {
    const ws = (): K8sSchema => schemaOf(crd('workspaces.livetables.dev.yaml'));

    it('limits metadata.name to 40 characters with a rule at the root', () => {
      expect(rulesOf(ws())).to.deep.equal(["self.metadata.name.matches('^[a-z][a-z0-9-]{1,39}$')"]);
    });

    it('requires owner.email and keeps it immutable', () => {
      expect(at(ws(), 'spec').required).to.deep.equal(['owner']);
      expect(at(ws(), 'spec.owner').required).to.deep.equal(['email']);
      expect(rulesOf(at(ws(), 'spec.owner.email'))).to.deep.equal(['self == oldSelf']);
    });

    it('defaults replicas 1 (0-20), deletionPolicy Retain, publicApi.enabled false', () => {
      expect(at(ws(), 'spec.replicas')).to.include({ default: 1, minimum: 0, maximum: 20 });
      expect(at(ws(), 'spec.deletionPolicy')).to.deep.include({
        default: 'Retain',
        enum: ['Retain', 'Delete'],
      });
      expect(at(ws(), 'spec.publicApi')).to.deep.include({ default: {} });
      expect(at(ws(), 'spec.publicApi.enabled').default).to.equal(false);
      expect(at(ws(), 'spec.displayName')).to.include({ minLength: 1, maxLength: 200 });
    });

    it('requires ingress.host and checks autoscaling.maxReplicas >= minReplicas', () => {
      expect(at(ws(), 'spec.ingress').required).to.deep.equal(['host']);
      expect(Object.keys(at(ws(), 'spec.ingress').properties ?? {})).to.have.members([
        'host',
        'className',
        'tls',
      ]);
      expect(rulesOf(at(ws(), 'spec.autoscaling'))).to.deep.equal([
        '!has(self.maxReplicas) || !has(self.minReplicas) || self.maxReplicas >= self.minReplicas',
        '!has(self.enabled) || !self.enabled || has(self.maxReplicas)',
      ]);
    });

    it('takes cpu and memory quantities as resources', () => {
      for (const side of ['requests', 'limits'])
        expect(Object.keys(at(ws(), `spec.resources.${side}`).properties ?? {})).to.have.members([
          'cpu',
          'memory',
        ]);
    });

    it('reports phase as one of the five phases', () => {
      expect(at(ws(), 'status.phase').enum).to.deep.equal([
        'Pending',
        'Provisioning',
        'Ready',
        'Failed',
        'Deleting',
      ]);
    });
  });

  describe('Connection fields', () => {
    const conn = (): K8sSchema => schemaOf(crd('connections.livetables.dev.yaml'));

    it('requires workspaceRef.name and type, both immutable', () => {
      expect(at(conn(), 'spec').required).to.have.members(['workspaceRef', 'type', 'credentialsSecretRef']);
      expect(rulesOf(at(conn(), 'spec.workspaceRef.name'))).to.deep.equal(['self == oldSelf']);
      expect(at(conn(), 'spec.type').enum).to.deep.equal(['postgres', 'mysql', 'mongodb']);
      expect(rulesOf(at(conn(), 'spec.type'))).to.deep.equal(['self == oldSelf']);
    });

    it('needs host unless the Secret gives a URI, and a URI excludes user name and password keys', () => {
      expect(rulesOf(at(conn(), 'spec'))).to.deep.equal([
        'has(self.host) || has(self.credentialsSecretRef.uriKey)',
      ]);
      expect(rulesOf(at(conn(), 'spec.credentialsSecretRef'))).to.deep.equal([
        '!has(self.uriKey) || (!has(self.usernameKey) && !has(self.passwordKey))',
      ]);
      // A schema default on usernameKey/passwordKey would always collide with uriKey: the operator applies them.
      expect(at(conn(), 'spec.credentialsSecretRef.usernameKey').default).to.equal(undefined);
      expect(at(conn(), 'spec.credentialsSecretRef.passwordKey').default).to.equal(undefined);
    });

    it('defaults readOnly true, tls off with rejectUnauthorized true, pool max 5 (1-50) and idle 60 s', () => {
      expect(at(conn(), 'spec.readOnly').default).to.equal(true);
      expect(at(conn(), 'spec.tls.enabled').default).to.equal(false);
      expect(at(conn(), 'spec.tls.rejectUnauthorized').default).to.equal(true);
      expect(at(conn(), 'spec.pool.max')).to.include({ default: 5, minimum: 1, maximum: 50 });
      expect(at(conn(), 'spec.pool.idleTimeoutSeconds').default).to.equal(60);
      expect(at(conn(), 'spec.port')).to.include({ minimum: 1, maximum: 65535 });
    });
  });
});
