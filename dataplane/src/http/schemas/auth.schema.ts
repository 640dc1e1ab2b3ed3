import { Type } from '@sinclair/typebox';
import { Email, Timestamp, RoleSchema, Uuid } from './common.schema.js';

export const PublicUser = Type.Object(
  { id: Uuid, email: Email, name: Type.String(), createdAt: Timestamp },
  { $id: 'User' },
);

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'at least 10 characters, at most 72 bytes',
    }),
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const TokenPair = Type.Object({ accessToken: Type.String(), refreshToken: Type.String() });

export const AuthResult = Type.Object({
  user: PublicUser,
  accessToken: Type.String(),
  refreshToken: Type.String(),
});

export const MeResult = Type.Object({
  user: PublicUser,
  workspaces: Type.Array(
    Type.Object({ id: Uuid, name: Type.String(), slug: Type.String(), role: RoleSchema }),
  ),
});

export const SessionView = Type.Object({
  id: Uuid,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  expiresAt: Timestamp,
  current: Type.Boolean(),
});

export const SessionParams = Type.Object({ sessionId: Type.String() });
