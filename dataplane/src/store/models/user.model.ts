import { BaseModel } from './base.model.js';

export class User extends BaseModel {
  static override tableName = 'users';
  id!: string;
  email!: string;
  name!: string;
  passwordHash!: string;
  createdAt!: Date;
  updatedAt!: Date;
}
