import { expect } from 'chai';
import {
  InvalidResourceError,
  parseConnection,
  parseWorkspace,
} from '../../../../operator/src/resources/parse-resource.js';
import { resolveConnectionSpec } from '../../../../operator/src/resources/connection.schema.js';
import { resolveWorkspaceSpec } from '../../../../operator/src/resources/workspace.schema.js';
import { connection, workspace } from './fixtures.js';

function problemsOf(parse: () => unknown): string[] {
  try {
    parse();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidResourceError);
    return (error as InvalidResourceError).problems;
  }
  throw new Error('accepted');
}

describe('operator resources: Workspace', () => {
  it('accepts the minimum and applies the README defaults', () => {
    const ws = parseWorkspace(workspace());
    expect(resolveWorkspaceSpec(ws)).to.deep.equal({
      displayName: 'acme',
      ownerEmail: 'owner@acme.test',
      replicas: 1,
      resources: undefined,
      image: undefined,
      deletionPolicy: 'Retain',
      publicApi: false,
      ingress: undefined,
      autoscaling: undefined,
    });
  });

  it('accepts every field of the spec', () => {
    const ws = parseWorkspace(
      workspace({
        displayName: 'Acme Inc',
        replicas: 3,
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: 1, memory: '1Gi' } },
        image: 'registry.example/dataplane:2',
        deletionPolicy: 'Delete',
        publicApi: { enabled: true },
        ingress: { host: 'acme.tables.example', className: 'nginx', tls: { secretName: 'acme-tls' } },
        autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
      }),
    );
    expect(resolveWorkspaceSpec(ws)).to.deep.equal({
      displayName: 'Acme Inc',
      ownerEmail: 'owner@acme.test',
      replicas: 3,
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: 1, memory: '1Gi' } },
      image: 'registry.example/dataplane:2',
      deletionPolicy: 'Delete',
      publicApi: true,
      ingress: { host: 'acme.tables.example', className: 'nginx', tlsSecretName: 'acme-tls' },
      autoscaling: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 70 },
    });
  });

  it('treats autoscaling that is not enabled as off, and defaults its minimum and target', () => {
    expect(resolveWorkspaceSpec(workspace({ autoscaling: { maxReplicas: 4 } })).autoscaling).to.equal(
      undefined,
    );
    expect(
      resolveWorkspaceSpec(workspace({ autoscaling: { enabled: true, maxReplicas: 4 } })).autoscaling,
    ).to.deep.equal({
      minReplicas: 1,
      maxReplicas: 4,
      targetCPUUtilizationPercentage: 80,
    });
  });

  const invalid: [string, unknown, RegExp][] = [
    ['no owner', { ...workspace(), spec: {} }, /spec\.owner: is required/],
    ['a bad email', workspace({ owner: { email: 'nobody' } }), /spec\.owner\.email/],
    ['too many replicas', workspace({ replicas: 21 }), /spec\.replicas: must be <= 20/],
    ['an unknown policy', workspace({ deletionPolicy: 'Keep' as 'Retain' }), /spec\.deletionPolicy/],
    [
      'an unknown field',
      { ...workspace(), spec: { owner: { email: 'a@b.co' }, size: 3 } },
      /spec\.size: is not a known field/,
    ],
    [
      'a bad quantity',
      workspace({ resources: { limits: { memory: 'lots' } } }),
      /spec\.resources\.limits\.memory/,
    ],
    [
      'an ingress without host',
      workspace({ ingress: {} as { host: string } }),
      /spec\.ingress\.host: is required/,
    ],
    [
      'autoscaling without a maximum',
      workspace({ autoscaling: { enabled: true } }),
      /maxReplicas: is required when/,
    ],
    [
      'a maximum under the minimum',
      workspace({ autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } }),
      /at least minReplicas/,
    ],
    ['a name longer than 40', workspace({}, 'a'.repeat(41)), /metadata\.name/],
    ['another kind', { ...workspace(), kind: 'Connection' }, /kind/],
  ];
  for (const [what, value, problem] of invalid) {
    it(`refuses ${what}, naming the field`, () => {
      expect(problemsOf(() => parseWorkspace(value)).join('\n')).to.match(problem);
    });
  }
});

describe('operator resources: Connection', () => {
  it('applies the README defaults (readOnly true, pool 5/60 s, no TLS, username/password keys)', () => {
    expect(resolveConnectionSpec(parseConnection(connection()).spec)).to.deep.equal({
      workspaceName: 'acme',
      type: 'mysql',
      host: 'mariadb.tenants.svc',
      port: undefined,
      database: 'shop',
      credentials: { kind: 'keys', secretName: 'shop-db', usernameKey: 'username', passwordKey: 'password' },
      readOnly: true,
      tls: undefined,
      pool: { max: 5, idleTimeoutSeconds: 60 },
    });
  });

  it('takes a URI key instead of host, and TLS that may skip verification', () => {
    const spec = resolveConnectionSpec(
      parseConnection(
        connection({
          host: undefined,
          credentialsSecretRef: { name: 'shop-db', uriKey: 'url' },
          tls: { enabled: true, rejectUnauthorized: false },
          readOnly: false,
          pool: { max: 9, idleTimeoutSeconds: 5 },
        }),
      ).spec,
    );
    expect(spec).to.deep.include({
      host: undefined,
      credentials: { kind: 'uri', secretName: 'shop-db', uriKey: 'url' },
      tls: { rejectUnauthorized: false },
      readOnly: false,
      pool: { max: 9, idleTimeoutSeconds: 5 },
    });
    expect(resolveConnectionSpec(connection({ tls: { enabled: true } }).spec).tls).to.deep.equal({
      rejectUnauthorized: true,
    });
  });

  const invalid: [string, unknown, RegExp][] = [
    ['no host and no URI', connection({ host: undefined }), /spec\.host: is required unless/],
    ['an unknown type', connection({ type: 'oracle' as 'mysql' }), /spec\.type/],
    ['a pool over 50', connection({ pool: { max: 51 } }), /spec\.pool\.max/],
    ['a port out of range', connection({ port: 70000 }), /spec\.port/],
    [
      'no workspaceRef',
      { ...connection(), spec: { type: 'mysql', host: 'h', credentialsSecretRef: { name: 's' } } },
      /workspaceRef: is required/,
    ],
    [
      'both key styles',
      connection({
        credentialsSecretRef: { name: 's', uriKey: 'u', usernameKey: 'x' } as {
          name: string;
          uriKey: string;
        },
      }),
      /credentialsSecretRef/,
    ],
  ];
  for (const [what, value, problem] of invalid) {
    it(`refuses ${what}, naming the field`, () => {
      expect(problemsOf(() => parseConnection(value)).join('\n')).to.match(problem);
    });
  }
});
