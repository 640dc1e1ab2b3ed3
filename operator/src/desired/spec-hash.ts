import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import type { ResolvedWorkspaceSpec } from '../resources/workspace.schema.js';

/**
 * The pod template's `livetables.dev/spec-hash`: the Workspace spec (defaults applied) and the
 * Secret's resourceVersion, so pods restart when either changes; envFrom alone would not show
 * them a changed Secret. Replicas and autoscaling are left out: scaling must not restart pods.
 */
export function specHash(spec: ResolvedWorkspaceSpec, secretResourceVersion: string): string {
  const { replicas: _replicas, autoscaling: _autoscaling, ...podSpec } = spec;
  return createHash('sha256')
    .update(canonicalJson({ spec: podSpec, secretResourceVersion }))
    .digest('hex');
}
