import type { CatalogColumn, CatalogTable } from './catalog.js';
import type { AnalyzedComputed, AnalyzedJoin, ResolvedField } from './plan.js';

/**
 * Name resolution. A field reference is, in this order: a column of the source table (its exact
 * name, dots included), `<joinAlias>.<column>` of a join, or the name of a computed column.
 * Joins see only the source and earlier joins (multi-hop chains reference the previous hop).
 */
export class FieldScope {
  constructor(
    readonly source: CatalogTable,
    readonly joins: readonly AnalyzedJoin[] = [],
    readonly computed: readonly AnalyzedComputed[] = [],
  ) {}

  /** A source or joined column (not computed): what formulas and join conditions may name. */
  column(ref: string): ResolvedField | undefined {
    const own = findColumn(this.source, ref);
    if (own)
      return {
        ref,
        type: own.type,
        nullable: own.nullable,
        target: { kind: 'column', table: 0, column: own },
      };
    const dot = ref.indexOf('.');
    if (dot <= 0) return undefined;
    const join = this.joins.find((j) => j.alias === ref.slice(0, dot));
    const column = join && findColumn(join.table, ref.slice(dot + 1));
    if (!join || !column) return undefined;
    const nullable = column.nullable || join.type === 'left';
    return { ref, type: column.type, nullable, target: { kind: 'column', table: join.index, column } };
  }

  resolve(ref: string): ResolvedField | undefined {
    const column = this.column(ref);
    if (column) return column;
    const index = this.computed.findIndex((c) => c.name === ref);
    const computed = this.computed[index];
    return computed && { ref, type: computed.type, nullable: true, target: { kind: 'computed', index } };
  }
}

export function findColumn(table: CatalogTable, name: string): CatalogColumn | undefined {
  return table.columns.find((c) => c.name === name);
}
