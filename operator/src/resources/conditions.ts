import type { Condition, ConditionStatus } from './condition.schema.js';

/** What a reconcile decides about one condition; the helpers add the bookkeeping fields. */
export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable (`SchemaCreated`, `WorkspaceNotFound`). */
  reason: string;
  message: string;
}

/** metav1.Condition's message limit. */
const MAX_MESSAGE = 32768;

/**
 * The conditions with `update` applied, as a new array (order kept, a new type appended).
 * `lastTransitionTime` moves only when the status changes: a new reason or message under the
 * same status is not a transition. `observedGeneration` records which spec was looked at.
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const previous = list.find((c) => c.type === update.type);
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message.slice(0, MAX_MESSAGE),
    lastTransitionTime:
      previous && previous.status === update.status ? previous.lastTransitionTime : now.toISOString(),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
  return previous ? list.map((c) => (c === previous ? next : c)) : [...list, next];
}

/** Several updates in order (each as setCondition). */
export function setConditions(
  conditions: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  return updates.reduce<Condition[]>(
    (list, update) => setCondition(list, update, observedGeneration, now),
    [...(conditions ?? [])],
  );
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

const FIELDS = ['type', 'status', 'reason', 'message', 'lastTransitionTime', 'observedGeneration'] as const;

/** True when both lists say the same, field by field and in order: no status write is needed. */
export function sameConditions(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((c, i) => FIELDS.every((f) => c[f] === right[i]?.[f]));
}
