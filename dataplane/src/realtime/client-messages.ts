import { Type, type Static } from '@sinclair/typebox';

/** What clients send, validated as request bodies are: one schema gives type and check. */

const Id = Type.String({ format: 'uuid' });

/** `table:<id>`, `view:<id>` or `presence:<resourceId>`. */
export const ROOM_PATTERN =
  '^(table|view|presence):[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const SubscribeRequest = Type.Object(
  { room: Type.String({ pattern: ROOM_PATTERN }) },
  { additionalProperties: false },
);
export type SubscribeRequest = Static<typeof SubscribeRequest>;

export const TokenRefresh = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 4096 }) },
  { additionalProperties: false },
);
export type TokenRefresh = Static<typeof TokenRefresh>;

export const CellEdit = Type.Object(
  {
    tableId: Id,
    rowId: Id,
    fields: Type.Record(Type.String(), Type.Unknown()),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type CellEdit = Static<typeof CellEdit>;

export const CursorMove = Type.Object(
  { resourceId: Id, rowId: Id, columnId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type CursorMove = Static<typeof CursorMove>;

export const Typing = Type.Object(
  { resourceId: Id, rowId: Id, columnId: Id, typing: Type.Boolean() },
  { additionalProperties: false },
);
export type Typing = Static<typeof Typing>;

export const Activity = Type.Object({}, { additionalProperties: false });
