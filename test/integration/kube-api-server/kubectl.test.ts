import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { kubectl, type ToolResult } from '../../fixtures/kube-api-server/kube-tools.js';
import {
  eventually,
  mergePatch,
  startKubeTestContext,
  strategicMergePatch,
  WORKSPACE_CRD_FILE,
  WORKSPACES,
  stopKubeTestContext,
  type KubeTestContext,
} from './kube-test-context.js';

const yaml = (lines: string[]) => lines.join('\n') + '\n';

function workspaceManifest(name: string, spec: string[]): string {
  return yaml([
    'apiVersion: livetables.dev/v1alpha1',
    'kind: Workspace',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    ...spec.map((l) => `  ${l}`),
  ]);
}

function deploymentManifest(containers: string[]): string {
  return yaml([
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels: {app: web}',
    '  template:',
    '    metadata:',
    '      labels: {app: web}',
    '    spec:',
    '      containers:',
    ...containers.map((c) => `        ${c}`),
  ]);
}

/** The real kubectl (v1.33) against the test server. */
describe('Kube API test server: kubectl', function () {
  this.timeout(30_000);
  let ctx: KubeTestContext;
  let directory: string;
  const at = { ...WORKSPACES, namespace: 'default' };

  const ok = (result: ToolResult) => {
    expect(result.code, result.stderr).to.equal(0);
    return result.stdout;
  };
  const manifest = async (name: string, text: string) => {
    const file = path.join(directory, name);
    await writeFile(file, text);
    return file;
  };
  const run = (...args: string[]) => kubectl(ctx.server, args);

  before(async () => {
    ctx = await startKubeTestContext();
    directory = await mkdtemp(path.join(os.tmpdir(), 'kubectl-test-'));
    ok(await run('apply', '-f', WORKSPACE_CRD_FILE));
  });

  after(async () => {
    await stopKubeTestContext(ctx);
    await rm(directory, { recursive: true, force: true });
  });

  it('applies a custom resource and prints it with the CRD printer columns', async () => {
    const file = await manifest(
      'acme.yaml',
      workspaceManifest('acme', ['displayName: Acme', 'owner:', '  email: owner@acme.test']),
    );
    expect(ok(await run('apply', '-f', file))).to.equal('workspace.livetables.dev/acme created\n');
    await ctx.custom.patchNamespacedCustomObjectStatus(
      {
        ...at,
        name: 'acme',
        body: {
          status: {
            endpoint: 'http://lt-acme.default.svc:8080',
            conditions: [{ type: 'Ready', status: 'True' }],
          },
        },
      },
      mergePatch,
    );
    const table = ok(await run('get', 'workspaces')).split('\n');
    expect(table[0]?.split(/\s+/)).to.deep.equal(['NAME', 'READY', 'ENDPOINT', 'AGE']);
    expect(table[1]).to.match(/^acme\s+True\s+http:\/\/lt-acme\.default\.svc:8080\s+\d+s$/);
    const wide = ok(await run('get', 'ltws', '-o', 'wide')).split('\n');
    expect(wide[0]?.split(/\s+/)).to.deep.equal(['NAME', 'READY', 'ENDPOINT', 'REPLICAS', 'AGE']);
    expect(wide[1]).to.match(/^acme\s+True\s+\S+\s+1\s+/);
    expect(ok(await run('get', 'livetables'))).to.match(/^acme\s+True/m);
  });

  it('discovers the CRD with its short name and category, and the built-ins', async () => {
    const resources = ok(await run('api-resources', '--api-group', 'livetables.dev')).split('\n');
    expect(resources[1]?.split(/\s+/)).to.deep.equal([
      'workspaces',
      'ltws',
      'livetables.dev/v1alpha1',
      'true',
      'Workspace',
    ]);
    const all = ok(await run('api-resources', '-o', 'name'));
    for (const name of [
      'deployments.apps',
      'leases.coordination.k8s.io',
      'networkpolicies.networking.k8s.io',
      'poddisruptionbudgets.policy',
      'horizontalpodautoscalers.autoscaling',
    ])
      expect(all).to.include(name);
  });

  it('reports an unchanged apply without writing, and a changed one as configured', async () => {
    const file = path.join(directory, 'acme.yaml');
    const before = ctx.server.store.get('workspaces.livetables.dev', 'default', 'acme');
    expect(ok(await run('apply', '-f', file))).to.equal('workspace.livetables.dev/acme unchanged\n');
    expect(
      ctx.server.store.get('workspaces.livetables.dev', 'default', 'acme')?.metadata.resourceVersion,
    ).to.equal(before?.metadata.resourceVersion);
    await writeFile(
      file,
      workspaceManifest('acme', [
        'displayName: Acme Inc',
        'replicas: 3',
        'owner:',
        '  email: owner@acme.test',
      ]),
    );
    expect(ok(await run('apply', '-f', file))).to.equal('workspace.livetables.dev/acme configured\n');
    const after = ctx.server.store.get('workspaces.livetables.dev', 'default', 'acme');
    expect(after?.metadata.generation).to.equal(2);
    expect(after?.spec).to.deep.include({ displayName: 'Acme Inc', replicas: 3 });
  });

  it('patches with merge and JSON patches, and shows the server refusing a strategic one for a custom resource', async () => {
    expect(
      ok(await run('patch', 'workspace', 'acme', '--type', 'merge', '-p', '{"spec":{"replicas":4}}')),
    ).to.include('patched');
    expect(
      ok(
        await run(
          'patch',
          'ltws',
          'acme',
          '--type',
          'json',
          '-p',
          '[{"op":"replace","path":"/spec/displayName","value":"ACME"}]',
        ),
      ),
    ).to.include('patched');
    expect(ctx.server.store.get('workspaces.livetables.dev', 'default', 'acme')?.spec).to.deep.include({
      replicas: 4,
      displayName: 'ACME',
    });
    const strategic = await run('patch', 'ltws', 'acme', '-p', '{"spec":{"replicas":5}}');
    expect(strategic.code).to.equal(1);
    expect(strategic.stderr).to.include('application/strategic-merge-patch+json is not supported');
    const invalid = await run(
      'patch',
      'ltws',
      'acme',
      '--type',
      'merge',
      '-p',
      '{"spec":{"replicas":40,"owner":{"email":"new@acme.test"}}}',
    );
    expect(invalid.stderr).to.include(
      'spec.replicas: Invalid value: 40: spec.replicas in body should be less than or equal to 20',
    );
    expect(invalid.stderr).to.include('spec.owner.email: Invalid value: "string": owner.email is immutable');
  });

  it('explains a CRD from its OpenAPI v3 schema, and built-ins from their permissive one', async () => {
    const explained = ok(await run('explain', 'workspaces.spec.owner'));
    expect(explained).to.include('KIND:       Workspace');
    expect(explained).to.include('Who owns the workspace.');
    expect(explained).to.match(/email\s+<string> -required-/);
    expect(ok(await run('explain', 'deployment.spec'))).to.match(/replicas\s+<integer>/);
  });

  it('waits in kubectl delete while a finalizer is pending, and finishes when it is removed', async () => {
    const file = await manifest(
      'held.yaml',
      workspaceManifest('held', ['owner:', '  email: held@acme.test']).replace(
        '  name: held',
        '  name: held\n  finalizers: [livetables.dev/cleanup]',
      ),
    );
    ok(await run('apply', '-f', file));
    const deletion = run('delete', 'workspace', 'held', '--timeout=20s');
    const deleting = await eventually(() => {
      const held = ctx.server.store.get('workspaces.livetables.dev', 'default', 'held');
      return held?.metadata.deletionTimestamp ? held : undefined;
    });
    expect(deleting.metadata.finalizers).to.deep.equal(['livetables.dev/cleanup']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ok(await run('get', 'ltws', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}'))).to.equal(
      deleting.metadata.deletionTimestamp,
    );
    await ctx.custom.patchNamespacedCustomObject(
      { ...at, name: 'held', body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    expect(ok(await deletion)).to.equal('workspace.livetables.dev "held" deleted\n');
    expect(ctx.server.store.get('workspaces.livetables.dev', 'default', 'held')).to.equal(undefined);
  });

  it('applies server-side: owns fields, reports conflicts, forces, removes fields it stops applying', async () => {
    const spec = ['displayName: Beta', 'replicas: 2', 'owner:', '  email: b@beta.test'];
    const file = await manifest('beta.yaml', workspaceManifest('beta', spec));
    expect(ok(await run('apply', '--server-side', '-f', file))).to.equal(
      'workspace.livetables.dev/beta serverside-applied\n',
    );
    const managers = () =>
      (
        ctx.server.store.get('workspaces.livetables.dev', 'default', 'beta')?.metadata.managedFields as {
          manager: string;
          operation: string;
        }[]
      ).map((m) => `${m.manager}/${m.operation}`);
    expect(managers()).to.deep.equal(['kubectl/Apply']);
    ok(
      await run(
        'patch',
        'ltws',
        'beta',
        '--type',
        'merge',
        '-p',
        '{"spec":{"replicas":5}}',
        '--field-manager',
        'autoscaler',
      ),
    );
    expect(managers()).to.deep.equal(['kubectl/Apply', 'autoscaler/Update']);
    const conflict = await run('apply', '--server-side', '-f', file);
    expect(conflict.code).to.equal(1);
    expect(conflict.stderr).to.include(
      'Apply failed with 1 conflict: conflict with "autoscaler" using livetables.dev/v1alpha1: .spec.replicas',
    );
    ok(await run('apply', '--server-side', '--force-conflicts', '-f', file));
    expect(managers()).to.deep.equal(['kubectl/Apply']);
    expect(ctx.server.store.get('workspaces.livetables.dev', 'default', 'beta')?.spec).to.deep.include({
      replicas: 2,
    });
    await writeFile(file, workspaceManifest('beta', ['replicas: 2', 'owner:', '  email: b@beta.test']));
    ok(await run('apply', '--server-side', '-f', file));
    expect(ctx.server.store.get('workspaces.livetables.dev', 'default', 'beta')?.spec).to.not.have.property(
      'displayName',
    );
  });

  it('applies a Deployment client-side: kubectl computes a strategic merge patch the server merges by container name', async () => {
    const file = await manifest(
      'web.yaml',
      deploymentManifest([
        '- {name: app, image: "app:1", env: [{name: A, value: "1"}]}',
        '- {name: sidecar, image: "sidecar:1"}',
      ]),
    );
    ok(await run('apply', '-f', file));
    // Another writer adds a container kubectl never applied: a three-way merge must keep it.
    await ctx.apps.patchNamespacedDeployment(
      {
        namespace: 'default',
        name: 'web',
        body: { spec: { template: { spec: { containers: [{ name: 'injected', image: 'mesh:1' }] } } } },
        fieldManager: 'injector',
      },
      strategicMergePatch,
    );
    await writeFile(
      file,
      deploymentManifest([
        '- {name: app, image: "app:2", env: [{name: A, value: "1"}, {name: B, value: "2"}]}',
      ]),
    );
    expect(ok(await run('apply', '-f', file))).to.equal('deployment.apps/web configured\n');
    const containers =
      (await ctx.apps.readNamespacedDeployment({ namespace: 'default', name: 'web' })).spec?.template.spec
        ?.containers ?? [];
    expect(containers.map((c) => `${c.name}=${c.image}`)).to.deep.equal(['app=app:2', 'injected=mesh:1']);
    expect(containers[0]?.env?.map((e) => `${e.name}=${e.value}`)).to.deep.equal(['A=1', 'B=2']);
  });

  it('creates a namespace and a secret with kubectl create (protobuf bodies), and refuses other kinds in protobuf', async () => {
    ok(await run('create', 'namespace', 'team-a'));
    ok(await run('create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret', '-n', 'team-a'));
    const secret = ctx.server.store.get('secrets', 'team-a', 'creds');
    expect(secret?.type).to.equal('Opaque');
    expect(secret?.data).to.deep.equal({ password: Buffer.from('s3cret').toString('base64') });
    expect(ok(await run('get', 'secret', 'creds', '-n', 'team-a'))).to.match(/creds\s+Opaque\s+1\s+/);
    const typed = await run('create', 'deployment', 'typed', '--image=app:1');
    expect(typed.stderr).to.include('unknown format');
  });

  it('waits for a Deployment condition', async () => {
    const waiting = run('wait', '--for=condition=Available', 'deployment/web', '--timeout=20s');
    await new Promise((resolve) => setTimeout(resolve, 200));
    ctx.server.markDeploymentAvailable('default', 'web');
    expect(ok(await waiting)).to.equal('deployment.apps/web condition met\n');
    expect(ok(await run('get', 'deployment', 'web'))).to.match(/web\s+2\/2\s+2\s+2\s+/);
  });
});
