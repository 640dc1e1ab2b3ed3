import { Type } from '@sinclair/typebox';
import { Email, InvitableRole, RoleSchema, Timestamp, Uuid } from './common.schema.js';

export const WorkspaceSettings = Type.Object(
  {
    defaultInviteRole: Type.Optional(InvitableRole),
    auditRetentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const Description = Type.String({ maxLength: 2000 });

export const CreateWorkspaceBody = Type.Object(
  {
    name: Name,
    slug: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9-]{1,39}$',
        description: 'lower-case letters, digits, hyphens; names the schema',
      }),
    ),
    description: Type.Optional(Description),
    settings: Type.Optional(WorkspaceSettings),
  },
  { additionalProperties: false },
);

export const UpdateWorkspaceBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    settings: Type.Optional(WorkspaceSettings),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const WorkspaceView = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    name: Type.String(),
    description: Type.String(),
    settings: Type.Object({ defaultInviteRole: InvitableRole, auditRetentionDays: Type.Integer() }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    role: Type.Optional(RoleSchema),
  },
  { $id: 'Workspace' },
);

export const MemberView = Type.Object({
  userId: Uuid,
  email: Email,
  name: Type.String(),
  role: RoleSchema,
  joinedAt: Timestamp,
});
export const MemberParams = Type.Object({ workspaceId: Type.String(), userId: Type.String() });
export const ChangeRoleBody = Type.Object({ role: RoleSchema }, { additionalProperties: false });
export const TransferBody = Type.Object({ userId: Uuid }, { additionalProperties: false });

export const InviteBody = Type.Object(
  { email: Email, role: Type.Optional(InvitableRole) },
  { additionalProperties: false },
);
export const InvitationView = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  email: Email,
  role: InvitableRole,
  status: Type.String(),
  invitedBy: Type.Union([Uuid, Type.Null()]),
  createdAt: Timestamp,
  expiresAt: Timestamp,
});
export const InviteResult = Type.Object({
  invitation: InvitationView,
  token: Type.String({
    description: 'shown once; the invitee accepts with POST /invitations/{token}/accept',
  }),
});
export const InvitationParams = Type.Object({ workspaceId: Type.String(), invitationId: Type.String() });
export const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
