import type { Column, ColumnType } from '../tables/column.js';
import type { TableView } from '../tables/metadata.js';
import type { ViewDefinition } from './view-definition.js';

/** A view definition without its source: what a template holds. */
export type TemplateDefinition = Omit<ViewDefinition, 'source'>;

/**
 * A built-in view template: a definition made from one column of the table it is applied to
 * (the caller names it, or the table's first column of a fitting type is taken). Definitions
 * name columns by id, so the views they make survive renames.
 */
export interface BuiltInTemplate {
  id: string;
  name: string;
  description: string;
  /** The column types the template's `column` may have. */
  columnTypes: readonly ColumnType[];
  build(table: TableView, column: Column): TemplateDefinition;
}

const NUMBER_TYPES: ReadonlySet<ColumnType> = new Set(['integer', 'decimal', 'autoNumber']);

export const BUILT_IN_TEMPLATES: readonly BuiltInTemplate[] = [
  {
    id: 'kanban-by-single-select',
    name: 'Kanban by single select',
    description: 'Rows grouped into one lane per choice of a single select column, with a count per lane',
    columnTypes: ['singleSelect'],
    build: (_table, column) => ({ groupBy: { fields: [column.id], aggregates: [] } }),
  },
  {
    id: 'calendar-by-date',
    name: 'Calendar by date',
    description: 'Rows that have a date, in date order',
    columnTypes: ['date', 'dateTime', 'createdTime', 'modifiedTime'],
    build: (_table, column) => ({
      filter: { field: column.id, op: 'isNotEmpty' },
      sort: [{ field: column.id, direction: 'asc' }],
    }),
  },
  {
    id: 'grouped-summary',
    name: 'Grouped summary',
    description: 'One group per value of a column, with the sum of every number column per group',
    columnTypes: ['singleSelect', 'text', 'boolean', 'date', 'integer', 'user'],
    build: (table, column) => ({
      groupBy: {
        fields: [column.id],
        aggregates: table.columns
          .filter((c) => NUMBER_TYPES.has(c.type) && c.id !== column.id)
          .slice(0, 10)
          .map((c) => ({ fn: 'sum' as const, field: c.id, as: `Sum of ${c.name}` })),
      },
    }),
  },
];
