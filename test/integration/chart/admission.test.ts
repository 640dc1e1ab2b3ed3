import { expect } from 'chai';
import { admit, loadCrd, withDefaults, type Crd } from './crd-schema.js';

/** The CRDs' schemas and CEL rules applied to objects, as the API server would on create and update. */
describe('CRD admission (schema, defaults and CEL rules)', () => {
  let workspaces: Crd;
  let connections: Crd;
  before(() => {
    workspaces = loadCrd('workspaces.livetables.dev.yaml');
    connections = loadCrd('connections.livetables.dev.yaml');
  });

  const workspace = (spec: Record<string, unknown> = {}, name = 'acme') => ({
    apiVersion: 'livetables.dev/v1alpha1',
    kind: 'Workspace',
    metadata: { name, namespace: 'default' },
    spec: { owner: { email: 'owner@acme.example' }, ...spec },
  });

  const connection = (spec: Record<string, unknown> = {}) => ({
    apiVersion: 'livetables.dev/v1alpha1',
    kind: 'Connection',
    metadata: { name: 'warehouse', namespace: 'default' },
    spec: {
      workspaceRef: { name: 'acme' },
      type: 'postgres',
      host: 'db.example.internal',
      credentialsSecretRef: { name: 'db-credentials' },
      ...spec,
    },
  });

  describe('Workspace', () => {
    it('admits the minimal Workspace and fills in the defaults', () => {
      expect(admit(workspaces, workspace())).to.deep.equal([]);
      expect(withDefaults(workspaces, workspace()).spec).to.deep.equal({
        owner: { email: 'owner@acme.example' },
        replicas: 1,
        deletionPolicy: 'Retain',
        publicApi: { enabled: false },
      });
    });

    it('admits a Workspace using every field', () => {
      const full = workspace({
        displayName: 'Acme Corp',
        replicas: 3,
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: 1, memory: '1Gi' } },
        image: 'registry.example.com/live-tables-dataplane:0.1.0',
        deletionPolicy: 'Delete',
        publicApi: { enabled: true },
        ingress: { host: 'acme.tables.example.com', className: 'nginx', tls: { secretName: 'acme-tls' } },
        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
      });
      expect(admit(workspaces, full)).to.deep.equal([]);
    });

    it('refuses a name the dataplane would not take: over 40 characters, a digit first, a dot (40 is fine)', () => {
      expect(admit(workspaces, workspace({}, 'a'.repeat(40)))).to.deep.equal([]);
      expect(admit(workspaces, workspace({}, 'acme-2'))).to.deep.equal([]);
      for (const name of ['a'.repeat(41), '1acme', 'ac.me', 'a']) {
        const [error] = admit(workspaces, workspace({}, name));
        expect(error, name).to.match(/^<root>: metadata.name of a Workspace must be 2 to 40 characters/);
      }
    });

    it('refuses autoscaling.maxReplicas below minReplicas, and enabled autoscaling without a maximum', () => {
      expect(
        admit(workspaces, workspace({ autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 2 } })),
      ).to.deep.equal([
        '.spec.autoscaling: autoscaling.maxReplicas must be greater than or equal to autoscaling.minReplicas',
      ]);
      expect(admit(workspaces, workspace({ autoscaling: { enabled: true } }))).to.deep.equal([
        '.spec.autoscaling: autoscaling.maxReplicas is required when autoscaling.enabled is true',
      ]);
      expect(admit(workspaces, workspace({ autoscaling: { enabled: false } }))).to.deep.equal([]);
      expect(admit(workspaces, workspace({ autoscaling: { enabled: true, maxReplicas: 1 } }))).to.deep.equal(
        [],
      );
    });

    it('refuses a change of owner.email, and admits other changes', () => {
      const old = workspace();
      const moved = workspace({ owner: { email: 'someone@else.example' } });
      expect(admit(workspaces, moved, old)).to.deep.equal(['.spec.owner.email: owner.email is immutable']);
      expect(admit(workspaces, workspace({ replicas: 2 }), old)).to.deep.equal([]);
      expect(admit(workspaces, moved), 'a create has no old object').to.deep.equal([]);
    });

    it('refuses values out of range, unknown enums, bad e-mail addresses and unknown fields', () => {
      const refused = [
        { replicas: 21 },
        { replicas: -1 },
        { replicas: 'one' },
        { deletionPolicy: 'Keep' },
        { owner: { email: 'not an address' } },
        { owner: {} },
        { displayName: '' },
        { resources: { requests: { cpu: 'lots' } } },
        { resources: { requests: { gpu: 1 } } },
        { ingress: { className: 'nginx' } },
        { ingress: { host: 'Not_A_Host' } },
        { autoscaling: { targetCPUUtilizationPercentage: 101, maxReplicas: 2 } },
        { replica: 1 },
      ];
      for (const spec of refused)
        expect(admit(workspaces, workspace(spec)), JSON.stringify(spec)).to.not.have.lengthOf(0);
      expect(admit(workspaces, { ...workspace(), spec: {} })).to.not.have.lengthOf(0);
    });
  });

  describe('Connection', () => {
    it('admits a host with user name and password keys, and fills in the defaults', () => {
      const c = connection({
        port: 5432,
        database: 'app',
        credentialsSecretRef: { name: 's', usernameKey: 'u' },
      });
      expect(admit(connections, c)).to.deep.equal([]);
      expect(withDefaults(connections, c).spec).to.deep.include({
        readOnly: true,
        tls: { enabled: false, rejectUnauthorized: true },
        pool: { max: 5, idleTimeoutSeconds: 60 },
      });
    });

    it('admits a URI from the Secret without a host', () => {
      const { host: _host, ...spec } = connection({
        credentialsSecretRef: { name: 's', uriKey: 'uri' },
      }).spec;
      expect(admit(connections, { ...connection(), spec })).to.deep.equal([]);
    });

    it('refuses a Connection with neither host nor uriKey', () => {
      const { host: _host, ...spec } = connection().spec;
      expect(admit(connections, { ...connection(), spec })).to.deep.equal([
        '.spec: host is required unless credentialsSecretRef.uriKey names a Secret key holding a connection URI',
      ]);
    });

    it('refuses uriKey beside usernameKey or passwordKey', () => {
      for (const extra of [{ usernameKey: 'u' }, { passwordKey: 'p' }])
        expect(
          admit(connections, connection({ credentialsSecretRef: { name: 's', uriKey: 'uri', ...extra } })),
        ).to.deep.equal(['.spec.credentialsSecretRef: uriKey excludes usernameKey and passwordKey']);
    });

    it('refuses a change of type or workspaceRef.name', () => {
      const old = connection();
      expect(admit(connections, connection({ type: 'mysql' }), old)).to.deep.equal([
        '.spec.type: type is immutable',
      ]);
      expect(admit(connections, connection({ workspaceRef: { name: 'other' } }), old)).to.deep.equal([
        '.spec.workspaceRef.name: workspaceRef.name is immutable',
      ]);
      expect(admit(connections, connection({ readOnly: false, port: 6432 }), old)).to.deep.equal([]);
    });

    it('refuses unknown types, bad ports, pool sizes out of range and a missing Secret reference', () => {
      const refused = [
        { type: 'oracle' },
        { port: 0 },
        { port: 70000 },
        { pool: { max: 51 } },
        { pool: { max: 0 } },
        { host: 'db host' },
        { credentialsSecretRef: {} },
        { workspaceRef: {} },
        { tls: { verify: false } },
      ];
      for (const spec of refused)
        expect(admit(connections, connection(spec)), JSON.stringify(spec)).to.not.have.lengthOf(0);
    });
  });
});
