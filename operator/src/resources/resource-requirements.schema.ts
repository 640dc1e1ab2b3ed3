import { Type, type Static } from '@sinclair/typebox';

/**
 * A Kubernetes quantity (`500m`, `0.5`, `1Gi`, `128974848`, `129e6`) as JSON gives it: a string,
 * or a number for plain amounts (`x-kubernetes-int-or-string`).
 */
export const Quantity = Type.Union([
  Type.String({ pattern: '^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$' }),
  Type.Number({ minimum: 0 }),
]);
export type Quantity = Static<typeof Quantity>;

const ResourceList = Type.Object(
  { cpu: Type.Optional(Quantity), memory: Type.Optional(Quantity) },
  { additionalProperties: false },
);

/** `{requests, limits}` of `cpu` and `memory` for the dataplane container. */
export const ResourceRequirements = Type.Object(
  { requests: Type.Optional(ResourceList), limits: Type.Optional(ResourceList) },
  { additionalProperties: false },
);
export type ResourceRequirements = Static<typeof ResourceRequirements>;
