import type { Role } from '../roles.js';
import { BaseModel } from './base.model.js';

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'revoked';

export class Invitation extends BaseModel {
  static override tableName = 'invitations';
  id!: string;
  workspaceId!: string;
  email!: string;
  role!: Exclude<Role, 'owner'>;
  tokenHash!: string;
  invitedBy!: string | null;
  status!: InvitationStatus;
  createdAt!: Date;
  expiresAt!: Date;
  respondedAt!: Date | null;
}
