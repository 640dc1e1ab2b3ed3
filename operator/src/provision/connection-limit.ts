import { envVariables } from '../../../dataplane/src/platform/config.js';
import type { ResolvedWorkspaceSpec } from '../resources/workspace.schema.js';

/** Each dataplane pod: its pool (the dataplane's DB_POOL_MAX default) plus its dedicated sessions. */
const PER_POD = Number(envVariables.DB_POOL_MAX.default) + 2;
/** The operator's own sessions as the tenant: migrateAll's lock session and its pool of two. */
const OPERATOR_SESSIONS = 3;

/**
 * The tenant role's CONNECTION LIMIT: the most pods it may run (replicas, or the autoscaler's
 * maximum) plus one surge pod of a rolling update, each with its pool, and the operator's share.
 */
export function tenantConnectionLimit(spec: Pick<ResolvedWorkspaceSpec, 'replicas' | 'autoscaling'>): number {
  const pods = spec.autoscaling ? Math.max(spec.autoscaling.maxReplicas, spec.replicas) : spec.replicas;
  return (pods + 1) * PER_POD + OPERATOR_SESSIONS;
}
