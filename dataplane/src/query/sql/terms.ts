import type { LogicalType } from '../catalog.js';
import { termNullable, termType, type ResolvedField, type SortKey, type Term } from '../plan.js';
import type { SqlDialect } from './dialect.js';
import type { SqlFragment } from './sql-fragment.js';

/** A sort key as the statement uses it: the comparable expression and what a cursor holds. */
export interface KeyColumn {
  key: SqlFragment;
  type: LogicalType;
  nullable: boolean;
  direction: 'asc' | 'desc';
}

/**
 * Renders terms (fields and aggregates) for one level of a statement. `field` says how a field
 * reads at this level: a table column or formula (row queries), or a column of the inner
 * projection (grouped queries).
 */
export type AggregateTerm = Extract<Term, { kind: 'aggregate' }>;

export class Terms {
  constructor(
    readonly dialect: SqlDialect,
    readonly field: (f: ResolvedField) => SqlFragment,
    /** How an aggregate reads at this level; default: computed here over `field`. */
    private readonly aggregateColumn?: (term: AggregateTerm) => SqlFragment,
  ) {}

  fieldKey(f: ResolvedField): SqlFragment {
    return this.dialect.key(f.type, this.field(f));
  }

  groupKey(f: ResolvedField): SqlFragment {
    return this.dialect.groupKey(f.type, this.field(f));
  }

  aggregate(term: AggregateTerm): SqlFragment {
    if (this.aggregateColumn) return this.aggregateColumn(term);
    const expr = term.field && this.field(term.field);
    return this.dialect.aggregate(term.fn, term.field?.type, expr);
  }

  /** The comparable form: ORDER BY, GROUP BY, keyset conditions. */
  key(term: Term): SqlFragment {
    return term.kind === 'field'
      ? this.fieldKey(term.field)
      : this.dialect.aggregateKey(term.type, this.aggregate(term));
  }

  /** The selected form of a term. */
  output(term: Term): SqlFragment {
    const value = term.kind === 'aggregate' ? this.aggregate(term) : this.field(term.field);
    return this.dialect.output(termType(term), value);
  }

  keyColumn(sort: SortKey): KeyColumn {
    return {
      key: this.key(sort.term),
      type: termType(sort.term),
      nullable: termNullable(sort.term),
      direction: sort.direction,
    };
  }
}
