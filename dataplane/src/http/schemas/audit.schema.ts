import { Type, type TSchema } from '@sinclair/typebox';
import { PageOf, Timestamp, Uuid } from './common.schema.js';
import { RowView } from './row.schema.js';
import { ColumnView, TableView } from './table.schema.js';

const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 instant' });

const historyFilters = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  actorId: Type.Optional(Uuid),
  action: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'an action (`row.update`), or every action under a prefix ending with a dot (`row.`)',
    }),
  ),
  from: Type.Optional(Type.String({ ...Instant, description: 'entries at or after this instant' })),
  to: Type.Optional(Type.String({ ...Instant, description: 'entries before this instant' })),
};

export const AuditLogQuery = Type.Object({
  ...historyFilters,
  resourceType: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'row, column, table, base, ...' }),
  ),
  resourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export const HistoryQuery = Type.Object(historyFilters);

export const AuditLogEntry = Type.Object({
  id: Uuid,
  action: Type.String(),
  resourceType: Type.String(),
  resourceId: Type.Union([Type.String(), Type.Null()]),
  parentId: Type.Union([Uuid, Type.Null()], { description: 'the table of a column or row entry' }),
  actorId: Type.Union([Uuid, Type.Null()]),
  before: Type.Unknown({ description: 'the state before the change (rows: {version, fields by column id})' }),
  after: Type.Unknown({ description: 'the state after the change' }),
  requestId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
export const AuditLogPage = PageOf(AuditLogEntry);

export const TableHistoryParams = Type.Object({ tableId: Type.String() });
export const RowHistoryParams = Type.Object({ rowId: Type.String() });
export const RowRevertParams = Type.Object({ rowId: Type.String(), auditLogId: Type.String() });
export const SchemaRevertParams = Type.Object({ tableId: Type.String(), auditLogId: Type.String() });

export const RowRevertBody = Type.Object(
  {
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: "the row's current version; 409 version_conflict when stale" }),
    ),
  },
  { additionalProperties: false },
);
export const SchemaRevertBody = Type.Object(
  {
    clearInvalid: Type.Optional(
      Type.Boolean({ description: 'a type change back clears cells that do not convert instead of a 422' }),
    ),
  },
  { additionalProperties: false },
);

const RevertAction = Type.Union(
  [Type.Literal('row.update'), Type.Literal('row.create'), Type.Literal('row.delete'), Type.Literal('none')],
  { description: 'what the revert did (or would do) to the row; none: it is already so' },
);
const SkippedColumns = Type.Array(
  Type.Object({
    columnId: Uuid,
    reason: Type.Union([Type.Literal('column_deleted'), Type.Literal('read_only')]),
    deletedBy: Type.Optional(
      Type.String({ description: 'batch revert: the entry whose undo deletes the column first' }),
    ),
  }),
  {
    description:
      'recorded values left alone: their column is gone (in a batch: or goes before this change), or read-only (autoNumber)',
  },
);
const Fields = Type.Record(Type.String(), Type.Unknown(), { description: 'values by column id' });

export const RowRevertResult = Type.Object({
  auditLogId: Uuid,
  action: RevertAction,
  row: Type.Union([RowView, Type.Null()]),
  skippedColumns: SkippedColumns,
});
export const SchemaRevertResult = Type.Object({
  auditLogId: Uuid,
  action: Type.String({ description: 'the schema change the revert recorded, e.g. column.restore' }),
  table: TableView,
});

export const BatchRevertBody = Type.Object(
  {
    auditLogIds: Type.Optional(
      Type.Array(Uuid, {
        minItems: 1,
        maxItems: 1000,
        description: 'these entries (row changes and revertable schema changes); or actorId, from and to',
      }),
    ),
    actorId: Type.Optional(Uuid),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    clearInvalid: Type.Optional(
      Type.Boolean({
        description: 'a type change undone clears the cells that do not convert back instead of a 422',
      }),
    ),
    dryRun: Type.Optional(
      Type.Boolean({ default: true, description: 'list the changes and write nothing (the default)' }),
    ),
  },
  { additionalProperties: false },
);

const undone = {
  auditLogId: Uuid,
  entryAction: Type.String({ description: 'the action of the entry undone' }),
  resourceId: Uuid,
  tableId: Uuid,
};
const RowChange = Type.Object({
  ...undone,
  resourceType: Type.Literal('row'),
  action: RevertAction,
  from: Type.Union([Type.Object({ version: Type.Optional(Type.Integer()), fields: Fields }), Type.Null()], {
    description: 'the row before this change; null: it does not exist',
  }),
  to: Type.Union([Type.Object({ fields: Fields }), Type.Null()], {
    description: 'the values this change writes; null: the row is deleted',
  }),
  skippedColumns: SkippedColumns,
});
const TableDetails = Type.Object({
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  settings: Type.Record(Type.String(), Type.Unknown()),
});
const ColumnChange = (action: string, from: TSchema, to: TSchema, description: string) =>
  Type.Object(
    { ...undone, resourceType: Type.Literal('column'), action: Type.Literal(action), from, to },
    { description },
  );
const SchemaChange = Type.Union([
  ColumnChange('column.delete', ColumnView, Type.Null(), 'undoes a column add or restore: the column goes'),
  ColumnChange(
    'column.restore',
    Type.Null(),
    ColumnView,
    'undoes a column delete: the column comes back with its id and data',
  ),
  ColumnChange('column.update', ColumnView, ColumnView, 'undoes a column update: name, type, options, rules'),
  Type.Object(
    {
      ...undone,
      resourceType: Type.Literal('table'),
      action: Type.Literal('table.update'),
      from: TableDetails,
      to: TableDetails,
    },
    { description: 'undoes a table update: name, description, settings' },
  ),
]);

export const BatchRevertResult = Type.Object({
  dryRun: Type.Boolean(),
  changes: Type.Array(Type.Union([RowChange, SchemaChange]), {
    description: 'newest entry first: row changes and schema changes, in the order they are applied',
  }),
  ignored: Type.Array(
    Type.Object({
      auditLogId: Uuid,
      action: Type.String(),
      code: Type.String({
        description:
          'why it is left out, as naming it would answer: not_revertable, already_reverted, revert_conflict, data_purged, forbidden, schema_consequence',
      }),
      detail: Type.String(),
    }),
    { description: 'entries of a time range the batch does not undo' },
  ),
});
