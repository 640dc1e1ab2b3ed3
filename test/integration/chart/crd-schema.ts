import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { compileCel } from '../../fixtures/kube-api-server/cel/cel-program.js';
import { withCelMetadata } from '../../fixtures/kube-api-server/crd/validation-rules.js';
import type { JsonObject, JsonValue } from '../../fixtures/kube-api-server/json.js';
import { decodeFile, type KubeObject } from './kube-tools.js';

/** One node of a CRD's openAPIV3Schema (the Kubernetes dialect of OpenAPI v3). */
export interface K8sSchema {
  type?: string;
  description?: string;
  properties?: Record<string, K8sSchema>;
  items?: K8sSchema;
  additionalProperties?: K8sSchema | boolean;
  anyOf?: K8sSchema[];
  required?: string[];
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  [keyword: string]: unknown;
}

export interface Crd extends KubeObject {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: { name: string; type: string; jsonPath: string; description?: string }[];
      schema: { openAPIV3Schema: K8sSchema };
    }[];
  };
}

export const CRD_FILES = ['workspaces.livetables.dev.yaml', 'connections.livetables.dev.yaml'] as const;

/** A CRD of crds/ (or, with `dir`, of another folder holding the same files). */
export function loadCrd(file: string, dir = 'crds'): Crd {
  const [crd, ...rest] = decodeFile(`${dir}/${file}`);
  if (!crd || rest.length > 0) throw new Error(`${file}: expected exactly one object`);
  return crd as Crd;
}

export const schemaOf = (crd: Crd): K8sSchema => {
  const version = crd.spec.versions[0];
  if (!version) throw new Error(`${crd.metadata.name} has no version`);
  return version.schema.openAPIV3Schema;
};

/** Every field of a schema with its path: properties, items and additionalProperties, not anyOf branches. */
export function* fields(node: K8sSchema, at = ''): Generator<[string, K8sSchema]> {
  yield [at || '<root>', node];
  for (const [name, child] of Object.entries(node.properties ?? {})) yield* fields(child, `${at}.${name}`);
  if (node.items) yield* fields(node.items, `${at}[]`);
  if (typeof node.additionalProperties === 'object') yield* fields(node.additionalProperties, `${at}{}`);
}

/**
 * Plain JSON Schema for ajv: the x-kubernetes-* extensions dropped (int-or-string is already the
 * anyOf beside it), `nullable` as a null type, and objects closed with additionalProperties: false
 * unless they preserve unknown fields: what the API server prunes, kubectl's strict field
 * validation refuses, so an example with a misspelt field fails here too.
 */
export function toJsonSchema(node: K8sSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword.startsWith('x-kubernetes-') || keyword === 'nullable') continue;
    if (keyword === 'properties')
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, K8sSchema>).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    else if (keyword === 'items') out.items = toJsonSchema(value as K8sSchema);
    else if (keyword === 'anyOf') out.anyOf = (value as K8sSchema[]).map(toJsonSchema);
    else if (keyword === 'additionalProperties' && typeof value === 'object')
      out.additionalProperties = toJsonSchema(value as K8sSchema);
    else out[keyword] = value;
  }
  if (node.nullable && node.type) out.type = [node.type, 'null'];
  if (
    node.properties &&
    !node['x-kubernetes-preserve-unknown-fields'] &&
    node.additionalProperties === undefined
  )
    out.additionalProperties = false;
  return out;
}

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function compile(schema: K8sSchema): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictTypes: false });
  addFormats(ajv);
  return ajv.compile(toJsonSchema(schema));
}

export interface CelFailure {
  path: string;
  rule: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A rule holds when it evaluates to true; an error (such as a missing field) rejects. */
function holds(program: ReturnType<typeof compileCel>, self: unknown, oldSelf: unknown): boolean {
  try {
    return program.evaluate(self as JsonValue, oldSelf as JsonValue | undefined) === true;
  } catch {
    return false;
  }
}

/**
 * Evaluates every x-kubernetes-validations rule where its field is present, as the API server
 * does: transition rules (those naming oldSelf) only on update, when the old object has the field.
 */
export function celFailures(node: K8sSchema, self: unknown, oldSelf?: unknown, at = ''): CelFailure[] {
  if (self === undefined) return [];
  const failures: CelFailure[] = [];
  for (const { rule, message } of node['x-kubernetes-validations'] ?? []) {
    // The in-repo API server's CEL: the subset it evaluates, checked against the field's schema.
    const own = node as unknown as JsonObject;
    const program = compileCel(rule, at ? own : withCelMetadata(own));
    if (program.usesOldSelf && oldSelf === undefined) continue;
    if (!holds(program, self, oldSelf))
      failures.push({ path: at || '<root>', rule, message: message ?? rule });
  }
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    if (!isObject(self)) continue;
    const old = isObject(oldSelf) ? oldSelf[name] : undefined;
    failures.push(...celFailures(child, self[name], old, `${at}.${name}`));
  }
  if (node.items && Array.isArray(self))
    self.forEach((item, i) =>
      failures.push(...celFailures(node.items as K8sSchema, item, undefined, `${at}[${i}]`)),
    );
  return failures;
}

/** The object with the schema's defaults filled in, as the API server stores it. */
export function withDefaults<T>(crd: Crd, object: T): T {
  const copy = structuredClone(object);
  compile(schemaOf(crd))(copy);
  return copy;
}

/** What the API server would say to a create (or, with `old`, an update): [] when admitted. */
export function admit(crd: Crd, object: unknown, old?: unknown): string[] {
  const schema = schemaOf(crd);
  const validate = compile(schema);
  const defaulted: unknown = structuredClone(object);
  if (!validate(defaulted))
    return (validate.errors ?? []).map((e) => `${e.instancePath || '<root>'} ${e.message ?? ''}`);
  const oldDefaulted: unknown = old === undefined ? undefined : structuredClone(old);
  if (oldDefaulted !== undefined) validate(oldDefaulted);
  return celFailures(schema, defaulted, oldDefaulted).map((f) => `${f.path}: ${f.message}`);
}
