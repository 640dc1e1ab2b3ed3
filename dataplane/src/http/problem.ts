import { Type } from '@sinclair/typebox';

/** RFC 9457 problem details: the one error shape of the API. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'stable machine-readable code, e.g. validation_failed' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    current: Type.Optional(Type.Unknown({ description: 'version_conflict: the resource as it is now' })),
    theirs: Type.Optional(
      Type.Unknown({ description: 'version_conflict of a row write: the row as a read shows it now' }),
    ),
    mine: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'version_conflict of a row write: the fields the request tried to write',
      }),
    ),
    baseVersion: Type.Optional(
      Type.Union([Type.Integer(), Type.Null()], {
        description: 'version_conflict of a row write: the version the request was based on',
      }),
    ),
    conflictingFields: Type.Optional(
      Type.Array(Type.String(), {
        description: 'version_conflict of a row write: fields changed by both sides',
      }),
    ),
  },
  { $id: 'Problem' },
);

export const problemType = (code: string): string =>
  `https://livetables.dev/problems/${code.replaceAll('_', '-')}`;
