import { BaseModel } from './base.model.js';

export class RefreshToken extends BaseModel {
  static override tableName = 'refresh_tokens';
  id!: string;
  sessionId!: string;
  userId!: string;
  tokenHash!: string;
  createdAt!: Date;
  expiresAt!: Date;
  /** Set when rotated; presenting a used token again is reuse. */
  usedAt!: Date | null;
}
