import { Type } from '@sinclair/typebox';

/** The largest page a public API answers (as every list of the API: DESIGN §4). */
export const MAX_PUBLIC_LIMIT = 1000;

/** Query parameters of GET /public/views/:slug/data; anything else is a 422. */
export const PublicDataQuery = Type.Object(
  {
    filter: Type.Optional(
      Type.String({
        maxLength: 8_000,
        description:
          'URL-encoded JSON filter tree ({and}, {or}, {not}, {field, op, value}) on exposed fields',
      }),
    ),
    sort: Type.Optional(
      Type.String({
        maxLength: 2_000,
        description: 'comma-separated exposed fields, - for descending: -due,name',
      }),
    ),
    fields: Type.Optional(
      Type.String({
        maxLength: 8_000,
        description: 'comma-separated exposed fields to return (default: all)',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: MAX_PUBLIC_LIMIT, default: 100 }),
    cursor: Type.Optional(
      Type.String({ maxLength: 2_000, description: 'the nextCursor of the previous page' }),
    ),
  },
  { additionalProperties: false },
);

export const PublicPage = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.Optional(Type.String()),
      fields: Type.Record(Type.String(), Type.Unknown(), { description: 'exposed fields by name' }),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  groups: Type.Optional(Type.Array(Type.Unknown())),
});
