import { Type } from '@sinclair/typebox';
import { ComputedColumnSchema, FieldRef, FilterSchema, GroupBySchema, SortSchema } from '../../query/lqp.js';
import { RoleSchema, Timestamp, Uuid } from './common.schema.js';

const strict = { additionalProperties: false } as const;

export const ViewSourceSchema = Type.Union(
  [
    Type.Object({ tableId: Uuid }, { ...strict, description: 'a mini-DB table' }),
    Type.Object(
      {
        connectionId: Uuid,
        table: Type.String({ minLength: 1, maxLength: 300 }),
        schema: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
      },
      { ...strict, description: 'a table or collection of an external connection' },
    ),
  ],
  { description: '{tableId} | {connectionId, table, schema?}' },
);

/** The LQP's join, where mini-DB views may follow a link column instead of naming `on`. */
const ViewJoinSchema = Type.Object(
  {
    table: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: 'mini-DB: a table id; external: a table name',
      }),
    ),
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    as: Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$',
      description: 'the alias fields use: <as>.<column>',
    }),
    type: Type.Optional(Type.Union([Type.Literal('inner'), Type.Literal('left')])),
    on: Type.Optional(
      Type.Object({ left: FieldRef, right: Type.String({ minLength: 1, maxLength: 300 }) }, strict),
    ),
    link: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: 'mini-DB only: a link column of the source (name or id); joins the linked table',
      }),
    ),
  },
  strict,
);

const AccessRuleSchema = Type.Object(
  {
    minRole: Type.Optional(RoleSchema),
    members: Type.Optional(
      Type.Array(Uuid, { maxItems: 200, description: 'user ids admitted whatever their role' }),
    ),
  },
  strict,
);

const ViewAccessSchema = Type.Object(
  {
    read: Type.Optional(AccessRuleSchema),
    edit: Type.Optional(AccessRuleSchema),
  },
  {
    ...strict,
    description: 'who may see (default: viewers and up) and change (default: editors and up) the view',
  },
);

const definition = {
  source: ViewSourceSchema,
  filter: Type.Optional(FilterSchema),
  sort: Type.Optional(Type.Array(SortSchema, { maxItems: 20 })),
  joins: Type.Optional(Type.Array(ViewJoinSchema, { maxItems: 10 })),
  computedColumns: Type.Optional(Type.Array(ComputedColumnSchema, { maxItems: 50 })),
  visibleColumns: Type.Optional(
    Type.Array(FieldRef, {
      minItems: 1,
      maxItems: 500,
      description: 'the columns shown, in order (default: all)',
    }),
  ),
  groupBy: Type.Optional(GroupBySchema),
  materialize: Type.Optional(
    Type.Object(
      { refreshSeconds: Type.Integer({ minimum: 1, maximum: 7 * 86400 }) },
      { ...strict, description: 'external sources: keep the result in PostgreSQL, refreshed this often' },
    ),
  ),
  cacheTtlSeconds: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 86400,
      description: 'external sources: page cache lifetime (default 30)',
    }),
  ),
};

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]));

export const CreateViewBody = Type.Object(
  { name: Name, description: Description, ...definition, access: Type.Optional(ViewAccessSchema) },
  strict,
);

export const UpdateViewBody = Type.Object(
  {
    name: Name,
    description: Description,
    ...definition,
    access: Type.Optional(ViewAccessSchema),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'the version this change is based on (else If-Match); 409 when stale',
      }),
    ),
  },
  strict,
);

const Problems = Type.Array(Type.Object({ path: Type.String(), message: Type.String() }));
const AccessRuleBody = Type.Object({ minRole: RoleSchema, members: Type.Array(Uuid) });
const AccessBody = Type.Object({ read: AccessRuleBody, edit: AccessRuleBody });

export const ViewBody = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  ...definition,
  access: AccessBody,
  version: Type.Integer(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('broken'), Type.Literal('unknown')], {
    description:
      'broken: the definition no longer fits its source (see problems); unknown: the source cannot be asked now',
  }),
  problems: Problems,
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  materializedAt: Type.Union([Timestamp, Type.Null()]),
  materializeError: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.Union([Uuid, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ViewVersionBody = Type.Object({
  version: Type.Integer(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  ...definition,
  access: AccessBody,
  restoredFrom: Type.Union([Type.Integer(), Type.Null()]),
  actorId: Type.Union([Uuid, Type.Null()]),
  createdAt: Timestamp,
});

export const ViewParams = Type.Object({ id: Type.String() });
export const ViewVersionParams = Type.Object({ id: Type.String(), version: Type.Integer({ minimum: 1 }) });
export const TemplateParams = Type.Object({ templateId: Type.String() });

export const ViewDataQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String({ maxLength: 8000 })),
  filter: Type.Optional(
    Type.String({ maxLength: 20_000, description: "URL-encoded JSON filter tree, ANDed with the view's" }),
  ),
  sort: Type.Optional(
    Type.String({ maxLength: 2000, description: "-due,priority: applied before the view's own sorts" }),
  ),
  fields: Type.Optional(
    Type.String({ maxLength: 20_000, description: 'comma-separated columns of the view, in this order' }),
  ),
  groups: Type.Union([Type.Literal('rows'), Type.Literal('only')], {
    default: 'rows',
    description: 'grouped views: rows with their group headers, or the groups only (paged)',
  }),
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('csv')], {
      description: 'csv (or Accept: text/csv): every row, streamed, visible columns as the header',
    }),
  ),
});

const Group = Type.Object({
  key: Type.Record(Type.String(), Type.Unknown()),
  count: Type.Integer(),
  aggregates: Type.Record(Type.String(), Type.Unknown()),
});

export const ViewDataBody = Type.Object({
  data: Type.Array(
    Type.Object({ id: Type.Optional(Uuid), fields: Type.Record(Type.String(), Type.Unknown()) }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  groups: Type.Optional(Type.Array(Group)),
  materializedAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
});

export const DuplicateViewBody = Type.Object({ name: Type.Optional(Name) }, strict);

export const RefreshBody = Type.Object({
  refreshedAt: Timestamp,
  materializedAt: Type.Union([Timestamp, Type.Null()]),
});

export const SaveTemplateBody = Type.Object({ name: Name, description: Description }, strict);

export const ApplyTemplateBody = Type.Object(
  {
    templateId: Type.String({ minLength: 1, maxLength: 100 }),
    source: ViewSourceSchema,
    name: Type.Optional(Name),
    column: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 300,
        description: 'built-in templates: the column they are built around',
      }),
    ),
    access: Type.Optional(ViewAccessSchema),
  },
  strict,
);

export const TemplateBody = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  builtIn: Type.Boolean(),
  columnTypes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  definition: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  createdAt: Type.Union([Timestamp, Type.Null()]),
});
