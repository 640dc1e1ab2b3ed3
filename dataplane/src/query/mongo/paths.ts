import type { ResolvedField } from '../plan.js';
import { invalid } from './values.js';

/**
 * Where an analysed field lives inside the pipeline's documents. The only names a pipeline
 * holds are catalog column names (checked to be plain paths) and our own `__lt_*` names: the
 * joined documents (`__lt_j0` for join 1), computed values (`__lt_c0`), sort helpers, groups.
 * User-chosen names (aliases, computed and aggregate names) never become pipeline keys.
 */
export const INTERNAL_PREFIX = '__lt_';

/** Stage a field first exists at: 0 the source document, 1 after the joins, 2 after the computed columns. */
export type Stage = 0 | 1 | 2;

/** A path is safe when every segment is non-empty, has no NUL and does not start with `$`. */
export function isSafePath(path: string): boolean {
  return path.split('.').every((s) => s.length > 0 && !s.startsWith('$') && !s.includes('\0'));
}

export const joinSlot = (joinIndex: number): string => `${INTERNAL_PREFIX}j${joinIndex - 1}`;
export const computedSlot = (index: number): string => `${INTERNAL_PREFIX}c${index}`;

/** The document path of a stored column of table `table` (0 = the source, i = join i). */
export function columnPath(table: number, name: string): string {
  if (!isSafePath(name) || name.startsWith(INTERNAL_PREFIX)) {
    throw invalid('query', `field ${JSON.stringify(name)} cannot be addressed in MongoDB`);
  }
  return table === 0 ? name : `${joinSlot(table)}.${name}`;
}

export class FieldPaths {
  /** `inProcess[i]`: computed column i has no MongoDB form and is evaluated after the pipeline. */
  constructor(private readonly inProcess: readonly boolean[] = []) {}

  /** The path, or null for a computed column evaluated in process. */
  pathOf(field: ResolvedField): string | null {
    const { target } = field;
    if (target.kind === 'column') return columnPath(target.table, target.column.name);
    return this.inProcess[target.index] ? null : computedSlot(target.index);
  }

  /** The path of a field the pipeline itself must read (filter, sort, group): 422 if in process. */
  required(field: ResolvedField, use: string): string {
    const path = this.pathOf(field);
    if (path === null)
      throw invalid(
        use,
        `${JSON.stringify(field.ref)} is computed in process on MongoDB and cannot be used in ${use}`,
      );
    return path;
  }

  static stageOf(field: ResolvedField): Stage {
    if (field.target.kind === 'computed') return 2;
    return field.target.table === 0 ? 0 : 1;
  }
}
