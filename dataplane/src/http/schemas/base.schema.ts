import { Type } from '@sinclair/typebox';
import { RoleSchema, Timestamp, Uuid } from './common.schema.js';

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) =>
  Type.Optional(Type.Union([t, Type.Null()]));
const fields = {
  name: Name,
  description: Nullable(Type.String({ maxLength: 10_000 })),
  color: Nullable(Type.String({ maxLength: 50 })),
  icon: Nullable(Type.String({ maxLength: 100 })),
};

export const CreateBaseBody = Type.Object(fields, { additionalProperties: false });
export const UpdateBaseBody = Type.Object(
  { ...fields, name: Type.Optional(Name) },
  { additionalProperties: false, minProperties: 1 },
);

export const BaseView = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  color: Type.Union([Type.String(), Type.Null()]),
  icon: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const IdParams = Type.Object({ id: Type.String() });
export const BaseIdParams = Type.Object({ baseId: Type.String() });

export const FromTemplateBody = Type.Object(
  {
    templateId: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "a built-in id ('project-tracker', 'crm') or a saved template's id",
    }),
    name: Type.Optional(Name),
  },
  { additionalProperties: false },
);
export const DuplicateBaseBody = Type.Object(
  { name: Type.Optional(Name), withData: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const SaveTemplateBody = Type.Object(
  {
    name: Name,
    description: Nullable(Type.String({ maxLength: 10_000 })),
    withData: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const TemplateView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  builtIn: Type.Boolean(),
  tables: Type.Array(Type.String()),
});
export const BaseMemberParams = Type.Object({ id: Type.String(), userId: Type.String() });
export const BaseRoleBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });
export const BaseRoleView = Type.Object({ userId: Uuid, role: RoleSchema, workspaceRole: RoleSchema });
