import { BaseModel } from './base.model.js';

export class AuditLog extends BaseModel {
  static override tableName = 'audit_logs';
  static override jsonAttributes = ['before', 'after'];
  id!: string;
  workspaceId!: string | null;
  actorId!: string | null;
  action!: string;
  resourceType!: string;
  resourceId!: string | null;
  before!: unknown;
  after!: unknown;
  requestId!: string | null;
  ip!: string | null;
  createdAt!: Date;
}
