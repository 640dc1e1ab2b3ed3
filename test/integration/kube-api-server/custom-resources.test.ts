import { expect } from 'chai';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import {
  eventually,
  failure,
  jsonPatch,
  mergePatch,
  startKubeTestContext,
  strategicMergePatch,
  workspace,
  workspaceCrd,
  WORKSPACES,
  stopKubeTestContext,
  type KubeTestContext,
} from './kube-test-context.js';

interface Workspace {
  metadata: {
    name: string;
    generation: number;
    resourceVersion: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    finalizers?: string[];
  };
  spec: Record<string, unknown> & { replicas?: number; owner: { email: string } };
  status?: Record<string, unknown>;
}

/** Custom resources through client-node: CRD registration, schema validation, defaults, pruning, CEL, status, finalizers. */
describe('Kube API test server: custom resources', () => {
  let ctx: KubeTestContext;
  const namespace = 'default';
  const at = { ...WORKSPACES, namespace };
  const get = async (name: string) =>
    (await ctx.custom.getNamespacedCustomObject({ ...at, name })) as Workspace;
  const create = async (body: object, fieldValidation?: string) =>
    (await ctx.custom.createNamespacedCustomObject({
      ...at,
      body,
      ...(fieldValidation ? { fieldValidation } : {}),
    })) as Workspace;
  const patch = async (name: string, body: object) =>
    (await ctx.custom.patchNamespacedCustomObject({ ...at, name, body }, mergePatch)) as Workspace;

  before(async () => {
    ctx = await startKubeTestContext();
    await ctx.extensions.createCustomResourceDefinition({ body: workspaceCrd() });
  });

  after(() => stopKubeTestContext(ctx));

  it('serves a new CRD in discovery and marks it Established', async () => {
    const resources = (await (await fetch(`${ctx.server.url}/apis/livetables.dev/v1alpha1`)).json()) as {
      resources: { name: string; kind: string; shortNames?: string[]; categories?: string[] }[];
    };
    expect(resources.resources.map((r) => r.name)).to.deep.equal(['workspaces', 'workspaces/status']);
    expect(resources.resources[0]).to.deep.include({
      kind: 'Workspace',
      shortNames: ['ltws'],
      categories: ['livetables'],
    });
    const crd = await eventually(async () => {
      const read = await ctx.extensions.readCustomResourceDefinition({ name: 'workspaces.livetables.dev' });
      return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? read
        : undefined;
    });
    expect(crd.status?.acceptedNames?.kind).to.equal('Workspace');
    expect(crd.status?.storedVersions).to.deep.equal(['v1alpha1']);
    expect(crd.metadata?.finalizers).to.deep.equal(['customresourcecleanup.apiextensions.k8s.io']);
  });

  it('applies schema defaults on create, also inside defaulted objects', async () => {
    const created = await create(workspace('defaults'));
    expect(created.spec).to.deep.include({
      replicas: 1,
      deletionPolicy: 'Retain',
      publicApi: { enabled: false },
    });
    expect(created.metadata.generation).to.equal(1);
  });

  it('answers schema violations with 422 and a cause per field path', async () => {
    const status = await failure(
      create(
        workspace('invalid', {
          owner: { email: 'not-an-email' },
          replicas: 30,
          deletionPolicy: 'Sometimes',
          displayName: '',
          image: 'has space',
          ingress: {},
        }),
      ),
    );
    expect(status).to.include({ reason: 'Invalid', code: 422 });
    expect(status.details).to.include({ name: 'invalid', group: 'livetables.dev', kind: 'Workspace' });
    const causes = Object.fromEntries(
      (status.details?.causes ?? []).map((c) => [c.field, `${c.reason}: ${c.message}`]),
    );
    expect(causes).to.deep.equal({
      'spec.owner.email':
        'FieldValueInvalid: Invalid value: "not-an-email": spec.owner.email in body must be of type email: "not-an-email"',
      'spec.replicas':
        'FieldValueInvalid: Invalid value: 30: spec.replicas in body should be less than or equal to 20',
      'spec.deletionPolicy':
        'FieldValueNotSupported: Unsupported value: "Sometimes": supported values: "Retain", "Delete"',
      'spec.displayName':
        'FieldValueInvalid: Invalid value: "": spec.displayName in body should be at least 1 chars long',
      'spec.image':
        'FieldValueInvalid: Invalid value: "has space": spec.image in body should match \'^[^\\s]+$\'',
      'spec.ingress.host': 'FieldValueRequired: Required value',
      '': 'FieldValueInvalid: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    });
    expect(status.message).to.match(/^Workspace\.livetables\.dev "invalid" is invalid: \[/);
    const typed = await failure(
      create({ ...workspace('typed'), spec: { owner: { email: 'a@b.cd' }, replicas: 'two' } }),
    );
    expect(typed.details?.causes?.[0]).to.deep.equal({
      reason: 'FieldValueTypeInvalid',
      message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      field: 'spec.replicas',
    });
    const missing = await failure(
      create({
        apiVersion: 'livetables.dev/v1alpha1',
        kind: 'Workspace',
        metadata: { name: 'nospec' },
        spec: {},
      }),
    );
    expect(missing.details?.causes?.map((c) => c.field)).to.deep.equal(['spec.owner']);
  });

  it('prunes unknown fields with a warning, or refuses them with fieldValidation=Strict', async () => {
    const body = {
      ...workspace('pruned', { unknownField: 1, owner: { email: 'p@x.io', nickname: 'p' } }),
      extra: true,
    };
    const response = await ctx.custom.createNamespacedCustomObjectWithHttpInfo({ ...at, body });
    const created = response.data as Workspace & { extra?: unknown };
    expect(created.spec).to.not.have.property('unknownField');
    expect(created.spec.owner).to.deep.equal({ email: 'p@x.io' });
    expect(created.extra).to.equal(undefined);
    expect(response.headers.warning).to.include('unknown field \\"spec.unknownField\\"');
    const strict = await failure(create(workspace('strict', { unknownField: 1 }), 'Strict'));
    expect(strict).to.include({ code: 400, reason: 'BadRequest' });
    expect(strict.message).to.include('strict decoding error: unknown field "spec.unknownField"');
  });

  it('enforces a transition rule (oldSelf) on updates only: owner.email is immutable', async () => {
    await create(workspace('immutable', { owner: { email: 'first@x.io' } }));
    const changed = await failure(patch('immutable', { spec: { owner: { email: 'second@x.io' } } }));
    expect(changed.details?.causes).to.deep.equal([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "string": owner.email is immutable',
        field: 'spec.owner.email',
      },
    ]);
    const unchanged = await patch('immutable', { spec: { owner: { email: 'first@x.io' }, replicas: 2 } });
    expect(unchanged.spec.replicas).to.equal(2);
  });

  it('enforces cross-field and root rules, reporting at their fieldPath', async () => {
    const autoscaling = { enabled: true, minReplicas: 5, maxReplicas: 2 };
    const crossed = await failure(create(workspace('scaling', { autoscaling })));
    expect(crossed.details?.causes).to.deep.equal([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: "object": autoscaling.maxReplicas must be at least minReplicas',
        field: 'spec.autoscaling.maxReplicas',
      },
    ]);
    const disabled = await create(workspace('scaling', { autoscaling: { ...autoscaling, enabled: false } }));
    expect(disabled.spec.autoscaling).to.deep.equal({ ...autoscaling, enabled: false });
    const long = await failure(create(workspace('a'.repeat(41))));
    expect(long.details?.causes?.[0]?.message).to.equal(
      'Invalid value: "object": the name of a Workspace is at most 40 characters',
    );
  });

  it('refuses at registration a CRD whose CEL rules are outside the supported subset', async () => {
    const withRule = (rule: string, extra: object = {}): V1CustomResourceDefinition => {
      const crd = workspaceCrd();
      crd.metadata = { name: 'gadgets.example.dev' };
      crd.spec.group = 'example.dev';
      crd.spec.names = { plural: 'gadgets', kind: 'Gadget' };
      const schema = crd.spec.versions[0]!.schema!.openAPIV3Schema!;
      schema.x_kubernetes_validations = [{ rule, ...extra }];
      return crd;
    };
    for (const rule of [
      'self.spec.replcas > 1',
      'self.spec.replicas > 1.5',
      'self.spec.?image',
      'isSorted(self.spec.owner)',
      'undeclared == 1',
    ]) {
      const status = await failure(ctx.extensions.createCustomResourceDefinition({ body: withRule(rule) }));
      expect(status.code, rule).to.equal(422);
      expect(status.details?.causes?.[0]?.field).to.equal(
        'spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule',
      );
      expect(status.details?.causes?.[0]?.message).to.include('compilation failed');
    }
    const optional = await failure(
      ctx.extensions.createCustomResourceDefinition({
        body: withRule('self == oldSelf', { optionalOldSelf: true }),
      }),
    );
    expect(optional.code).to.equal(422);
    const ok = await ctx.extensions.createCustomResourceDefinition({
      body: withRule("self.spec.owner.email.endsWith('.dev') || !has(self.spec.image)"),
    });
    expect(ok.metadata?.name).to.equal('gadgets.example.dev');
  });

  it('keeps status and spec apart through the status subresource, bumping generation on spec changes only', async () => {
    const created = await create(workspace('status'));
    const viaMain = (await ctx.custom.replaceNamespacedCustomObject({
      ...at,
      name: 'status',
      body: { ...created, status: { phase: 'Ready' } },
    })) as Workspace;
    expect(viaMain.status).to.equal(undefined);
    expect(viaMain.metadata.generation).to.equal(1);
    const viaStatus = (await ctx.custom.patchNamespacedCustomObjectStatus(
      {
        ...at,
        name: 'status',
        body: {
          spec: { replicas: 9 },
          status: { phase: 'Ready', observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] },
        },
      },
      mergePatch,
    )) as Workspace;
    expect(viaStatus.status).to.deep.include({ phase: 'Ready' });
    expect(viaStatus.spec.replicas).to.equal(1);
    expect(viaStatus.metadata.generation).to.equal(1);
    const badStatus = await failure(
      ctx.custom.patchNamespacedCustomObjectStatus(
        { ...at, name: 'status', body: { status: { phase: 'Dancing' } } },
        mergePatch,
      ),
    );
    expect(badStatus.details?.causes?.[0]?.field).to.equal('status.phase');
    const labelled = await patch('status', { metadata: { labels: { tier: 'gold' } } });
    expect(labelled.metadata.generation).to.equal(1);
    const respec = await patch('status', { spec: { replicas: 3 } });
    expect(respec.metadata.generation).to.equal(2);
    expect(respec.status).to.deep.include({ phase: 'Ready' });
  });

  it('demands a resourceVersion on PUT and refuses strategic merge patches (415)', async () => {
    const created = await create(workspace('put'));
    const unconditional = { ...created, metadata: { ...created.metadata, resourceVersion: undefined } };
    const status = await failure(
      ctx.custom.replaceNamespacedCustomObject({ ...at, name: 'put', body: unconditional }),
    );
    expect(status.details?.causes?.[0]?.field).to.equal('metadata.resourceVersion');
    const smp = await failure(
      ctx.custom.patchNamespacedCustomObject(
        { ...at, name: 'put', body: { spec: { replicas: 2 } } },
        strategicMergePatch,
      ),
    );
    expect(smp).to.include({ code: 415, reason: 'UnsupportedMediaType' });
  });

  it('keeps a deleted object with finalizers, deletionTimestamp set, until they are removed', async () => {
    await create(workspace('final', {}, { finalizers: ['livetables.dev/cleanup'] }));
    await ctx.custom.deleteNamespacedCustomObject({ ...at, name: 'final' });
    const deleting = await get('final');
    expect(deleting.metadata.deletionTimestamp).to.be.a('string');
    expect(deleting.metadata.deletionGracePeriodSeconds).to.equal(0);
    expect(deleting.metadata.generation).to.equal(2);
    const added = await failure(
      patch('final', { metadata: { finalizers: ['livetables.dev/cleanup', 'other.dev/x'] } }),
    );
    expect(added.details?.causes?.[0]?.message).to.include(
      'no new finalizers can be added if the object is being deleted',
    );
    const edited = await patch('final', { spec: { displayName: 'still editable' } });
    expect(edited.spec.displayName).to.equal('still editable');
    await ctx.custom.patchNamespacedCustomObject(
      { ...at, name: 'final', body: [{ op: 'remove', path: '/metadata/finalizers' }] },
      jsonPatch,
    );
    expect((await failure(get('final'))).code).to.equal(404);
  });

  it('prints tables with the CRD printer columns', async () => {
    await create(workspace('table'));
    await ctx.custom.patchNamespacedCustomObjectStatus(
      {
        ...at,
        name: 'table',
        body: {
          status: {
            endpoint: 'http://lt-table.default.svc:8080',
            conditions: [
              { type: 'DatabaseReady', status: 'True' },
              { type: 'Ready', status: 'False' },
            ],
          },
        },
      },
      mergePatch,
    );
    const response = await fetch(
      `${ctx.server.url}/apis/livetables.dev/v1alpha1/namespaces/default/workspaces/table`,
      {
        headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
      },
    );
    const table = (await response.json()) as {
      kind: string;
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
    };
    expect(table.kind).to.equal('Table');
    expect(table.columnDefinitions.map((c) => `${c.name}/${c.priority}`)).to.deep.equal([
      'Name/0',
      'Ready/0',
      'Endpoint/0',
      'Replicas/1',
      'Age/0',
    ]);
    expect(table.rows[0]?.cells.slice(0, 4)).to.deep.equal([
      'table',
      'False',
      'http://lt-table.default.svc:8080',
      1,
    ]);
    expect(table.rows[0]?.cells[4]).to.match(/^\d+s$/);
    expect(table.rows[0]?.object.kind).to.equal('PartialObjectMetadata');
  });

  it('serves several versions of one storage, cluster-scoped, with /scale', async () => {
    const schema = {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { size: { type: 'integer' } } },
        status: { type: 'object', properties: { size: { type: 'integer' } } },
      },
    };
    const subresources = {
      status: {},
      scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' },
    };
    await ctx.extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: 'pools.example.dev' },
        spec: {
          group: 'example.dev',
          scope: 'Cluster',
          names: { plural: 'pools', kind: 'Pool' },
          versions: [
            {
              name: 'v1beta1',
              served: true,
              storage: false,
              schema: { openAPIV3Schema: schema },
              subresources,
            },
            { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema }, subresources },
          ],
        },
      },
    });
    await ctx.custom.createClusterCustomObject({
      group: 'example.dev',
      version: 'v1beta1',
      plural: 'pools',
      body: { apiVersion: 'example.dev/v1beta1', kind: 'Pool', metadata: { name: 'p' }, spec: { size: 2 } },
    });
    const asV1 = (await ctx.custom.getClusterCustomObject({
      group: 'example.dev',
      version: 'v1',
      plural: 'pools',
      name: 'p',
    })) as { apiVersion: string };
    expect(asV1.apiVersion).to.equal('example.dev/v1');
    expect(ctx.server.store.get('pools.example.dev', '', 'p')?.apiVersion).to.equal('example.dev/v1');
    await ctx.custom.patchClusterCustomObjectScale(
      { group: 'example.dev', version: 'v1', plural: 'pools', name: 'p', body: { spec: { replicas: 5 } } },
      mergePatch,
    );
    const scale = (await ctx.custom.getClusterCustomObjectScale({
      group: 'example.dev',
      version: 'v1',
      plural: 'pools',
      name: 'p',
    })) as { spec: { replicas: number } };
    expect(scale.spec.replicas).to.equal(5);
  });

  it('validates nullable, int-or-string, preserved unknown fields, list types, messageExpression and reason', async () => {
    const text = { type: 'string' };
    const item = {
      type: 'object',
      required: ['name'],
      properties: { name: text, size: { type: 'integer' } },
    };
    await ctx.extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: 'limits.example.dev' },
        spec: {
          group: 'example.dev',
          scope: 'Namespaced',
          names: { plural: 'limits', kind: 'Limit' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      properties: {
                        note: { type: 'string', nullable: true },
                        port: { x_kubernetes_int_or_string: true },
                        extra: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
                        tags: { type: 'array', items: text, maxItems: 3, x_kubernetes_list_type: 'set' },
                        items: {
                          type: 'array',
                          x_kubernetes_list_type: 'map',
                          x_kubernetes_list_map_keys: ['name'],
                          // `items` is untyped in client-node's model, so its extensions keep their wire names.
                          items: {
                            ...item,
                            'x-kubernetes-validations': [
                              { rule: 'self.size >= oldSelf.size', message: 'an item may only grow' },
                            ],
                          },
                        },
                        max: {
                          type: 'integer',
                          x_kubernetes_validations: [
                            {
                              rule: 'self <= 10',
                              messageExpression: "'max ' + string(self) + ' is above 10'",
                            },
                            {
                              rule: 'self != 7',
                              message: 'seven is reserved',
                              reason: 'FieldValueForbidden',
                            },
                          ],
                        },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      } as V1CustomResourceDefinition,
    });
    const limits = { group: 'example.dev', version: 'v1', namespace, plural: 'limits' };
    const body = (spec: object) => ({
      apiVersion: 'example.dev/v1',
      kind: 'Limit',
      metadata: { name: 'l' },
      spec,
    });
    const created = (await ctx.custom.createNamespacedCustomObject({
      ...limits,
      body: body({
        note: null,
        port: 'http',
        extra: { anything: { goes: [1] } },
        tags: ['a'],
        items: [{ name: 'a', size: 1 }],
      }),
    })) as { spec: Record<string, unknown> };
    expect(created.spec).to.deep.equal({
      note: null,
      port: 'http',
      extra: { anything: { goes: [1] } },
      tags: ['a'],
      items: [{ name: 'a', size: 1 }],
    });
    const causes = async (spec: object) =>
      (
        await failure(
          ctx.custom.patchNamespacedCustomObject({ ...limits, name: 'l', body: { spec } }, mergePatch),
        )
      ).details?.causes?.map((c) => `${c.field} ${c.reason}: ${c.message}`);
    expect(await causes({ port: 1.5 })).to.deep.equal([
      'spec.port FieldValueTypeInvalid: Invalid value: "number": spec.port in body must be of type integer-or-string: "number"',
      ' FieldValueInvalid: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
    expect(await causes({ tags: ['a', 'a'] })).to.deep.equal([
      'spec.tags[1] FieldValueDuplicate: Duplicate value: "a"',
    ]);
    expect(await causes({ tags: ['a', 'b', 'c', 'd'] })).to.deep.equal([
      'spec.tags FieldValueTooMany: Too many: 4: must have at most 3 items',
    ]);
    expect(
      await causes({
        items: [
          { name: 'b', size: 0 },
          { name: 'a', size: 0 },
        ],
      }),
    ).to.deep.equal(['spec.items[1] FieldValueInvalid: Invalid value: "object": an item may only grow']);
    expect(await causes({ max: 12 })).to.deep.equal([
      'spec.max FieldValueInvalid: Invalid value: "integer": max 12 is above 10',
    ]);
    expect(await causes({ max: 7 })).to.deep.equal([
      'spec.max FieldValueForbidden: Forbidden: seven is reserved',
    ]);
  });

  it('deletes the custom resources of a deleted CRD, waiting for their finalizers', async () => {
    await create(workspace('last', {}, { finalizers: ['livetables.dev/cleanup'] }));
    await ctx.extensions.deleteCustomResourceDefinition({ name: 'workspaces.livetables.dev' });
    const deleting = await eventually(async () => {
      const w = await get('last');
      return w.metadata.deletionTimestamp ? w : undefined;
    });
    expect(deleting.metadata.finalizers).to.deep.equal(['livetables.dev/cleanup']);
    const crd = await ctx.extensions.readCustomResourceDefinition({ name: 'workspaces.livetables.dev' });
    expect(crd.metadata?.deletionTimestamp).to.not.equal(undefined);
    const blocked = await failure(create(workspace('late')));
    expect(blocked.code).to.equal(405);
    await ctx.custom.patchNamespacedCustomObject(
      { ...at, name: 'last', body: { metadata: { finalizers: null } } },
      mergePatch,
    );
    await eventually(async () =>
      (await failure(ctx.extensions.readCustomResourceDefinition({ name: 'workspaces.livetables.dev' })))
        .code === 404
        ? true
        : undefined,
    );
    expect((await fetch(`${ctx.server.url}/apis/livetables.dev/v1alpha1`)).status).to.equal(404);
  });
});
