import { Type, type Static } from '@sinclair/typebox';

/**
 * The part of `metadata` the operator reads. Other members (managedFields, creationTimestamp ...)
 * are allowed and ignored; custom objects arrive as plain JSON, so timestamps are strings.
 */
export const ObjectMeta = Type.Object({
  name: Type.String({ minLength: 1 }),
  namespace: Type.String({ minLength: 1 }),
  uid: Type.String({ minLength: 1 }),
  generation: Type.Optional(Type.Integer({ minimum: 0 })),
  resourceVersion: Type.Optional(Type.String()),
  deletionTimestamp: Type.Optional(Type.String()),
  finalizers: Type.Optional(Type.Array(Type.String())),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export type ObjectMeta = Static<typeof ObjectMeta>;
