import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import { FINALIZER } from '../names.js';
import { refOf, type ChildKind } from './child-kinds.js';

/**
 * Adds or removes the operator's finalizer with a merge patch that carries the resourceVersion
 * it was computed from: finalizers are a list, so a patch over a newer object (someone else's
 * finalizer added meanwhile) must fail (409) and be recomputed, not overwrite it.
 */
export async function withFinalizer(client: KubeClient, kind: ChildKind, object: KubeObject): Promise<void> {
  const finalizers = object.metadata?.finalizers ?? [];
  if (finalizers.includes(FINALIZER)) return;
  await setFinalizers(client, kind, object, [...finalizers, FINALIZER]);
}

export async function withoutFinalizer(
  client: KubeClient,
  kind: ChildKind,
  object: KubeObject,
): Promise<void> {
  const finalizers = object.metadata?.finalizers ?? [];
  if (!finalizers.includes(FINALIZER)) return;
  await setFinalizers(
    client,
    kind,
    object,
    finalizers.filter((f) => f !== FINALIZER),
  );
}

async function setFinalizers(
  client: KubeClient,
  kind: ChildKind,
  object: KubeObject,
  finalizers: string[],
): Promise<void> {
  const { namespace = 'default', name = '', resourceVersion } = object.metadata ?? {};
  await client.patch(refOf(kind, namespace, name), { metadata: { finalizers, resourceVersion } });
}
