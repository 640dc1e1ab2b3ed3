import { findDrift, wireForm } from '../desired/drift.js';
import { isNotFound, type KubeClient, type KubeObject } from '../kube/kube-client.js';
import { refOf, type ChildKind } from './child-kinds.js';

export type ChildAction = 'created' | 'updated' | 'deleted' | 'unchanged';

export interface AppliedChild {
  action: ChildAction;
  /** The object as the API server now holds it (undefined when deleted or never wanted). */
  object: KubeObject | undefined;
  /** What drifted, when updated. */
  drifted: string[];
}

/**
 * Makes one child what it should be: created when missing, merge-patched back where it drifted
 * in the fields the operator sets, deleted when it should not exist (`desired` null), left alone
 * otherwise. `actual` is the cached object; a cache a step behind is corrected by the API's
 * answer (409 AlreadyExists on create, 404 on patch) and the next reconcile.
 */
export async function applyChild(
  client: KubeClient,
  kind: ChildKind,
  namespace: string,
  name: string,
  desired: object | null,
  actual: KubeObject | undefined,
): Promise<AppliedChild> {
  const ref = refOf(kind, namespace, name);
  if (desired === null) {
    if (!actual) return { action: 'unchanged', object: undefined, drifted: [] };
    try {
      await client.delete(ref);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return { action: 'deleted', object: undefined, drifted: [] };
  }
  if (!actual) {
    const created = await client.create(ref, wireForm(desired) as object);
    return { action: 'created', object: created, drifted: [] };
  }
  const drift = findDrift(desired, actual);
  if (!drift.patch) return { action: 'unchanged', object: actual, drifted: [] };
  const patched = await client.patch(ref, drift.patch);
  return { action: 'updated', object: patched, drifted: drift.paths };
}
