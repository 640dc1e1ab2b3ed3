import { BaseModel } from './base.model.js';

export interface WorkspaceSettings {
  defaultInviteRole?: 'admin' | 'editor' | 'viewer';
  auditRetentionDays?: number;
}

export class Workspace extends BaseModel {
  static override tableName = 'workspaces';
  static override jsonAttributes = ['settings'];
  id!: string;
  slug!: string;
  name!: string;
  description!: string;
  schemaName!: string;
  settings!: WorkspaceSettings;
  createdBy!: string | null;
  createdAt!: Date;
  updatedAt!: Date;
}
