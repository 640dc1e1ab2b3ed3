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
  },
  { $id: 'Problem' },
);

export const problemType = (code: string): string =>
  `https://livetables.dev/problems/${code.replaceAll('_', '-')}`;
