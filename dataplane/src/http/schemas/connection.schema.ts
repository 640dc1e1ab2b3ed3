import { Type } from '@sinclair/typebox';
import {
  ComputedColumnSchema,
  FieldRef,
  FilterSchema,
  GroupBySchema,
  JoinSchema,
  SortSchema,
} from '../../query/lqp.js';
import { Timestamp, Uuid } from './common.schema.js';

const ConnectionType = Type.Union([Type.Literal('postgres'), Type.Literal('mysql'), Type.Literal('mongodb')]);

const optionFields = {
  tls: Type.Optional(Type.Boolean()),
  statementTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
  rowCap: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  pool: Type.Optional(
    Type.Object(
      {
        max: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
        idleMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 3_600_000 })),
      },
      { additionalProperties: false },
    ),
  ),
};

const ConnectionOptions = Type.Object(optionFields, { additionalProperties: false });

/** What a view shows: operator-managed connections may also carry `tls: {rejectUnauthorized}`. */
const ConnectionOptionsView = Type.Object(
  {
    ...optionFields,
    tls: Type.Optional(Type.Union([Type.Boolean(), Type.Object({ rejectUnauthorized: Type.Boolean() })])),
  },
  { additionalProperties: false },
);

const Host = Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s/@]+$' });
const fields = {
  name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  host: Type.Optional(Host),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  database: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  password: Type.Optional(Type.String({ maxLength: 1000 })),
  uri: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'instead of host, port, database, username, password',
    }),
  ),
  readOnly: Type.Optional(Type.Boolean()),
  allowRawQueries: Type.Optional(Type.Boolean()),
  options: Type.Optional(ConnectionOptions),
};

export const CreateConnectionBody = Type.Object(
  { ...fields, type: ConnectionType },
  { additionalProperties: false },
);
export const UpdateConnectionBody = Type.Object(
  { ...fields, name: Type.Optional(fields.name) },
  { additionalProperties: false, minProperties: 1 },
);

export const ConnectionView = Type.Object({
  id: Uuid,
  name: Type.String(),
  type: ConnectionType,
  host: Type.String(),
  port: Type.Integer(),
  database: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  readOnly: Type.Boolean(),
  allowRawQueries: Type.Boolean(),
  options: ConnectionOptionsView,
  status: Type.Union([Type.Literal('unknown'), Type.Literal('ok'), Type.Literal('error')]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastCheckedAt: Type.Union([Timestamp, Type.Null()]),
  managedBy: Type.Union([Type.Literal('operator'), Type.Null()], {
    description:
      'operator: registered from a Kubernetes Connection resource; the API refuses to change or delete it (409 managed_by_operator)',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ConnectionParams = Type.Object({ id: Type.String() });

/** LQP form (DESIGN §4) or, for admins on connections that allow it, `{sql}` / `{collection, pipeline}`. */
export const ConnectionQueryBody = Type.Object(
  {
    table: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    filter: Type.Optional(FilterSchema),
    sort: Type.Optional(Type.Array(SortSchema, { maxItems: 20 })),
    select: Type.Optional(Type.Array(FieldRef, { maxItems: 500 })),
    joins: Type.Optional(Type.Array(JoinSchema, { maxItems: 10 })),
    computedColumns: Type.Optional(Type.Array(ComputedColumnSchema, { maxItems: 50 })),
    groupBy: Type.Optional(GroupBySchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    cursor: Type.Optional(Type.String({ maxLength: 4000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    explain: Type.Optional(Type.Boolean()),
    sql: Type.Optional(Type.String({ minLength: 1, maxLength: 100_000 })),
    params: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 1000 })),
    collection: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    pipeline: Type.Optional(Type.Array(Type.Object({}), { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const QueryResultBody = Type.Object({
  data: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  truncated: Type.Optional(Type.Boolean()),
  explain: Type.Optional(Type.Unknown()),
});

export const TestResultBody = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Number(),
  serverVersion: Type.Optional(Type.String()),
  error: Type.Optional(Type.String()),
});

export const SchemaBody = Type.Object({
  schemas: Type.Array(Type.String()),
  tables: Type.Array(Type.Unknown()),
});

export const RotateKeysBody = Type.Object(
  {
    reencrypt: Type.Optional(
      Type.Boolean({ description: 're-encrypt every stored credential under the new data key' }),
    ),
  },
  { additionalProperties: false },
);

export const RotationBody = Type.Object({
  previousVersion: Type.Optional(Type.Integer()),
  version: Type.Integer(),
  provider: Type.String(),
  kmsKeyVersion: Type.String(),
  rewrapped: Type.Integer(),
  reencrypted: Type.Integer(),
});
