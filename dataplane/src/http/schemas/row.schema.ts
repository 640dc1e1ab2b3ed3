import { Type } from '@sinclair/typebox';
import { RESOLUTIONS } from '../../services/rows/row-resolution.js';
import { Timestamp, Uuid } from './common.schema.js';

const FieldKey = Type.Union([Type.Literal('name'), Type.Literal('id')], {
  default: 'name',
  description: 'key fields by column name (default) or column id',
});
const Fields = Type.Record(Type.String(), Type.Unknown());

export const RowView = Type.Object({
  id: Uuid,
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  fields: Fields,
});

export const RowListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 4000 })),
  filter: Type.Optional(Type.String({ maxLength: 20_000, description: 'URL-encoded JSON filter tree' })),
  sort: Type.Optional(Type.String({ maxLength: 2000, description: '-due,priority' })),
  fields: Type.Optional(
    Type.String({ maxLength: 20_000, description: 'comma-separated column names or ids' }),
  ),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  count: Type.Union([Type.Literal('none'), Type.Literal('estimate'), Type.Literal('exact')], {
    default: 'none',
  }),
  fieldKey: FieldKey,
});
export const FieldKeyQuery = Type.Object({ fieldKey: FieldKey });

export const RowPage = Type.Object({
  data: Type.Array(RowView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  count: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  countKind: Type.Optional(Type.Union([Type.Literal('estimate'), Type.Literal('exact')])),
});

export const CreateRowBody = Type.Object({ fields: Fields }, { additionalProperties: false });
export const UpdateRowBody = Type.Object(
  { fields: Fields, version: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
export const ResolveRowBody = Type.Object(
  {
    resolution: Type.Union(
      RESOLUTIONS.map((r) => Type.Literal(r)),
      {
        description:
          'theirs keeps the row as it is; mine writes your fields; merged writes fields you merged',
      },
    ),
    version: Type.Integer({
      minimum: 1,
      description: "the row's version as the conflict's `theirs` showed it; 409 when it moved again",
    }),
    fields: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'required for mine and merged (written as a PATCH), refused with theirs',
      }),
    ),
  },
  { additionalProperties: false },
);
export const DeleteRowQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) });
export const RowParams = Type.Object({ tableId: Type.String(), rowId: Type.String() });

const Versioned = { version: Type.Optional(Type.Integer({ minimum: 1 })) };
export const BulkBody = Type.Union([
  Type.Object(
    {
      operation: Type.Literal('create'),
      rows: Type.Array(Type.Object({ fields: Fields }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: 10_000,
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      operation: Type.Literal('update'),
      rows: Type.Array(
        Type.Object({ id: Uuid, fields: Fields, ...Versioned }, { additionalProperties: false }),
        {
          minItems: 1,
          maxItems: 10_000,
        },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      operation: Type.Literal('upsert'),
      key: Type.String({ minLength: 1, maxLength: 255, description: 'a unique column (name or id)' }),
      rows: Type.Array(Type.Object({ fields: Fields }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: 10_000,
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      operation: Type.Literal('delete'),
      rows: Type.Array(Type.Object({ id: Uuid, ...Versioned }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: 10_000,
      }),
    },
    { additionalProperties: false },
  ),
]);
export const BulkResult = Type.Object({ data: Type.Array(RowView) });

export const LockBody = Type.Object(
  { ttlSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'default 60' })) },
  { additionalProperties: false },
);
export const LockView = Type.Object({ rowId: Uuid, holderId: Uuid, expiresAt: Timestamp });
