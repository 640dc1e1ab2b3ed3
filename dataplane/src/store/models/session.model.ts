import { BaseModel } from './base.model.js';

/** One signed-in device: the family of refresh tokens that rotate from one login. */
export class Session extends BaseModel {
  static override tableName = 'sessions';
  id!: string;
  userId!: string;
  ip!: string | null;
  userAgent!: string | null;
  createdAt!: Date;
  lastUsedAt!: Date;
  expiresAt!: Date;
  revokedAt!: Date | null;
  revokedReason!: string | null;
}
