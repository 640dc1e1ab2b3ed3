import type { Column, ColumnType } from '../../../../dataplane/src/services/tables/column.js';

export const CHOICES = [
  { name: 'Todo', color: 'blue' },
  { name: 'Doing', color: 'cyan' },
  { name: 'Done', color: 'teal' },
];

/** A column of `type` with the options its type needs, overridable member by member. */
export function columnOf(type: ColumnType, overrides: Partial<Column> = {}): Column {
  return {
    id: '0190c6a8-0000-7000-8000-000000000001',
    tableId: '0190c6a8-0000-7000-8000-000000000002',
    name: type,
    type,
    options: defaultOptions(type),
    required: false,
    unique: false,
    default: null,
    rules: {},
    position: 0,
    ...overrides,
  };
}

function defaultOptions(type: ColumnType): Column['options'] {
  switch (type) {
    case 'singleSelect':
    case 'multiSelect':
      return { choices: CHOICES };
    case 'decimal':
      return { precision: 2 };
    case 'formula':
      return { formula: '1 + 1' };
    case 'link':
      return { tableId: '0190c6a8-0000-7000-8000-000000000003' };
    case 'lookup':
      return { link: '0190c6a8-0000-7000-8000-000000000004', field: 'Name' };
    case 'rollup':
      return { link: '0190c6a8-0000-7000-8000-000000000004', field: 'Amount', aggregate: 'sum' };
    default:
      return {};
  }
}

/** What `fn` throws, or undefined when it returns. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}
