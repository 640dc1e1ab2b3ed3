import { Type } from '@sinclair/typebox';
import { COLUMN_TYPES } from '../../services/tables/column.js';
import { CONFLICT_POLICIES } from '../../services/tables/conflict-policy.js';
import { Timestamp, Uuid } from './common.schema.js';

const ColumnType = Type.Union(COLUMN_TYPES.map((t) => Type.Literal(t)));

/** DESIGN §4 ColumnSpec; `options` and `rules` are checked per type by the columns service. */
const columnFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  type: ColumnType,
  options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  required: Type.Optional(Type.Boolean()),
  unique: Type.Optional(Type.Boolean()),
  default: Type.Optional(Type.Unknown()),
  rules: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
};

export const ColumnSpecBody = Type.Object(columnFields, { additionalProperties: false });
export const UpdateColumnBody = Type.Object(
  {
    ...Object.fromEntries(Object.entries(columnFields).map(([k, v]) => [k, Type.Optional(v)])),
    clearInvalid: Type.Optional(
      Type.Boolean({ description: 'a type change clears cells that do not convert' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export const ReorderColumnsBody = Type.Object(
  { columnIds: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);

export const ColumnView = Type.Object({
  id: Uuid,
  tableId: Uuid,
  name: Type.String(),
  type: ColumnType,
  options: Type.Record(Type.String(), Type.Unknown()),
  required: Type.Boolean(),
  unique: Type.Boolean(),
  default: Type.Unknown(),
  rules: Type.Record(Type.String(), Type.Unknown()),
  position: Type.Integer(),
});

const TableName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.Optional(Type.Union([Type.String({ maxLength: 10_000 }), Type.Null()]));
const ConflictPolicy = Type.Union(
  CONFLICT_POLICIES.map((p) => Type.Literal(p)),
  {
    description:
      'what a row write based on a stale version does: merge (default) applies a PATCH whose fields ' +
      'nobody changed since, lastWriteWins ignores versions, reject answers 409',
  },
);
const Settings = Type.Object(
  { primaryColumnId: Type.Optional(Uuid), conflictPolicy: Type.Optional(ConflictPolicy) },
  { additionalProperties: false },
);
// A new table's column ids are not known yet: only the conflict policy can be chosen up front.
const CreateSettings = Type.Object(
  { conflictPolicy: Type.Optional(ConflictPolicy) },
  { additionalProperties: false },
);

export const CreateTableBody = Type.Object(
  {
    name: TableName,
    description: Description,
    columns: Type.Optional(Type.Array(ColumnSpecBody, { maxItems: 500 })),
    settings: Type.Optional(CreateSettings),
  },
  { additionalProperties: false },
);
export const UpdateTableBody = Type.Object(
  { name: Type.Optional(TableName), description: Description, settings: Type.Optional(Settings) },
  { additionalProperties: false, minProperties: 1 },
);

export const TableView = Type.Object({
  id: Uuid,
  baseId: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
  schemaVersion: Type.Integer(),
  settings: Settings,
  archivedAt: Type.Union([Timestamp, Type.Null()]),
  columns: Type.Array(ColumnView),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const TableListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  archived: Type.Optional(Type.Boolean({ description: 'list archived tables instead' })),
});
export const TableColumnParams = Type.Object({ tableId: Type.String(), columnId: Type.String() });

const Direction = Type.Union([Type.Literal('asc'), Type.Literal('desc')]);
export const CreateIndexBody = Type.Object(
  { columnId: Uuid, direction: Type.Optional(Direction) },
  { additionalProperties: false },
);
export const IndexView = Type.Object({
  name: Type.String(),
  columnId: Type.Union([Uuid, Type.Null()]),
  kind: Type.Union([
    Type.Literal('sort'),
    Type.Literal('filter'),
    Type.Literal('unique'),
    Type.Literal('primary'),
    Type.Literal('other'),
  ]),
  direction: Type.Union([Direction, Type.Null()]),
  definition: Type.String(),
});

export const SchemaChangeView = Type.Object({
  version: Type.Integer(),
  action: Type.String(),
  resourceId: Type.Union([Uuid, Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  actorId: Type.Union([Uuid, Type.Null()]),
  createdAt: Timestamp,
  purgedAt: Type.Union([Timestamp, Type.Null()]),
});
