import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isWorkspaceName } from '../names.js';
import { Connection } from './connection.schema.js';
import { Workspace } from './workspace.schema.js';

/**
 * A custom resource the operator cannot act on. The CRD schema should have refused it already;
 * this is the operator's own check (a CRD may be older, or validation off), and each problem
 * names the field, so the status message says what to fix.
 */
export class InvalidResourceError extends Error {
  readonly code = 'invalid_resource';
  constructor(
    readonly kind: string,
    readonly problems: string[],
  ) {
    super(`${kind} is invalid: ${problems.join('; ')}`);
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateWorkspace: ValidateFunction = ajv.compile(Workspace);
const validateConnection: ValidateFunction = ajv.compile(Connection);

function problemOf(error: ErrorObject): string {
  const at = error.instancePath.slice(1).replaceAll('/', '.') || '(root)';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required')
    return `${at === '(root)' ? '' : at + '.'}${String(params.missingProperty)}: is required`;
  if (error.keyword === 'additionalProperties')
    return `${at}.${String(params.additionalProperty)}: is not a known field`;
  return `${at}: ${error.message ?? 'is invalid'}`;
}

function schemaProblems(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  // A union's branches each report; one line per field is enough.
  return [...new Set((validate.errors ?? []).filter((e) => e.keyword !== 'anyOf').map(problemOf))];
}

function check<T>(kind: string, problems: string[], value: unknown): T {
  if (problems.length > 0) throw new InvalidResourceError(kind, problems);
  return value as T;
}

/** A Workspace from the API, checked; throws InvalidResourceError naming every problem. */
export function parseWorkspace(value: unknown): Workspace {
  const problems = schemaProblems(validateWorkspace, value);
  if (problems.length === 0) {
    const ws = value as Workspace;
    if (!isWorkspaceName(ws.metadata.name))
      problems.push('metadata.name: must be a DNS-1123 label of at most 40 characters');
    const scaling = ws.spec.autoscaling;
    if (scaling?.enabled && scaling.maxReplicas === undefined)
      problems.push('spec.autoscaling.maxReplicas: is required when autoscaling is enabled');
    if (scaling?.maxReplicas !== undefined && scaling.maxReplicas < (scaling.minReplicas ?? 1))
      problems.push('spec.autoscaling.maxReplicas: must be at least minReplicas');
  }
  return check<Workspace>('Workspace', problems, value);
}

/** A Connection from the API, checked; throws InvalidResourceError naming every problem. */
export function parseConnection(value: unknown): Connection {
  const problems = schemaProblems(validateConnection, value);
  if (problems.length === 0) {
    const conn = value as Connection;
    if (!('uriKey' in conn.spec.credentialsSecretRef) && conn.spec.host === undefined)
      problems.push('spec.host: is required unless credentialsSecretRef.uriKey gives a URI');
  }
  return check<Connection>('Connection', problems, value);
}
