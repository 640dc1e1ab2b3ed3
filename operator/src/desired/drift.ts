import { sameQuantity } from './quantity.js';

/** A JSON merge patch (RFC 7386, `application/merge-patch+json`). */
export type MergePatch = { [key: string]: unknown };

export interface Drift {
  /** Where the existing object differs from the desired one (`spec.replicas`, `spec.template.spec.containers`). */
  paths: string[];
  /** Sets every drifted field back to its desired value; undefined when nothing drifted. */
  patch: MergePatch | undefined;
}

type Json = { [key: string]: unknown };

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * The client's models name `from` `_from` (a reserved word in its generator): desired objects
 * use the model name, the API server the JSON name. Both sides are compared, and patched, in the
 * JSON form.
 */
export function wireForm(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wireForm);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === '_from' ? 'from' : k, wireForm(v)]));
}

/** Requests and limits are quantities: `0.5` and `500m` are the same CPU. */
const inResources = (path: readonly string[]) =>
  path.includes('resources') && /^(requests|limits)$/.test(path.at(-2) ?? '');

function sameLeaf(desired: unknown, actual: unknown, path: readonly string[]): boolean {
  if (desired === actual) return true;
  const quantities =
    (typeof desired === 'string' || typeof desired === 'number') &&
    (typeof actual === 'string' || typeof actual === 'number');
  return quantities && inResources(path) && sameQuantity(desired, actual);
}

/**
 * Only what the desired value sets counts: keys it leaves out are the API server's (defaults such
 * as terminationMessagePath, status, uid, managedFields). A list is owned whole: it matches when
 * it has as many items and each item matches, and a patch replaces it whole (merge patches cannot
 * address items).
 */
function matches(desired: unknown, actual: unknown, path: readonly string[]): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired))
    return (
      Array.isArray(actual) &&
      actual.length === desired.length &&
      desired.every((d, i) => matches(d, actual[i], [...path, String(i)]))
    );
  if (isObject(desired))
    return isObject(actual) && Object.entries(desired).every(([k, v]) => matches(v, actual[k], [...path, k]));
  return sameLeaf(desired, actual, path);
}

function collect(desired: Json, actual: unknown, path: string[], out: string[][]): void {
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined) continue;
    const here = [...path, key];
    const current = isObject(actual) ? actual[key] : undefined;
    if (isObject(value) && isObject(current)) collect(value, current, here, out);
    else if (!matches(value, current, here)) out.push(here);
  }
}

function patchOf(desired: Json, paths: string[][]): MergePatch {
  const patch: MergePatch = {};
  for (const path of paths) {
    let target = patch;
    let source: unknown = desired;
    for (const [i, key] of path.entries()) {
      source = (source as Json)[key];
      if (i === path.length - 1) target[key] = source;
      else target = (target[key] ??= {}) as MergePatch;
    }
  }
  return patch;
}

/** Top-level members that are not the operator's to compare: list items come without apiVersion/kind. */
const IGNORED = new Set(['apiVersion', 'kind', 'status']);

/**
 * Whether `actual` drifted from `desired` in the fields the operator owns, and the merge patch
 * that repairs it. `actual` may be the client's model object or the API server's JSON.
 */
export function findDrift(desired: object, actual: object): Drift {
  const want = wireForm(desired) as Json;
  const have = wireForm(actual);
  const owned = Object.fromEntries(Object.entries(want).filter(([k]) => !IGNORED.has(k)));
  const paths: string[][] = [];
  collect(owned, have, [], paths);
  return { paths: paths.map((p) => p.join('.')), patch: paths.length ? patchOf(want, paths) : undefined };
}
