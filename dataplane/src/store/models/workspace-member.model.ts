import type { Role } from '../roles.js';
import { BaseModel } from './base.model.js';

export class WorkspaceMember extends BaseModel {
  static override tableName = 'workspace_members';
  static override idColumn = ['workspace_id', 'user_id'];
  workspaceId!: string;
  userId!: string;
  role!: Role;
  createdAt!: Date;
  updatedAt!: Date;
}
