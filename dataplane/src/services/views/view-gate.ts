import type { Knex } from 'knex';
import { ForbiddenError, NotFoundError } from '../../platform/errors.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { ViewPermissions, ViewSubject } from './view-permissions.js';
import { loadView, type ViewRecord } from './view-record.js';

/**
 * Loads a view for a caller and applies its rules: a view the caller may not see is a 404 (as
 * if it did not exist), one they may see but not change is a 403 for a change.
 */
export class ViewGate {
  constructor(
    private readonly knex: Knex,
    private readonly permissions: ViewPermissions,
  ) {}

  async readable(
    access: WorkspaceAccess,
    userId: string,
    id: string,
    db: Knex = this.knex,
  ): Promise<{ record: ViewRecord; subject: ViewSubject }> {
    const record = await loadView(db, access, id);
    const subject = await this.permissions.subject(access, userId, record.base_ids);
    if (!this.permissions.canRead(record.access, subject)) throw new NotFoundError('View');
    return { record, subject };
  }

  /** `lock`: read FOR UPDATE inside the change's transaction `db`. */
  async editable(
    access: WorkspaceAccess,
    userId: string,
    id: string,
    db: Knex = this.knex,
    lock = false,
  ): Promise<{ record: ViewRecord; subject: ViewSubject }> {
    const record = await loadView(db, access, id, lock);
    const subject = await this.permissions.subject(access, userId, record.base_ids);
    if (!this.permissions.canRead(record.access, subject)) throw new NotFoundError('View');
    if (!this.permissions.canEdit(record.access, subject))
      throw new ForbiddenError("This view's edit rule does not admit you");
    return { record, subject };
  }
}
