import type { Knex } from 'knex';
import { NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { Workspace } from '../../store/models/workspace.model.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';

/**
 * A workspace as the dataplane itself acts in it, with no caller (the public API, scheduled
 * refreshes): what the data path needs (its id and schema). The role is never consulted there.
 * In tenant mode only the tenant's workspace exists; anything else is a 404.
 */
export async function systemAccess(
  knex: Knex,
  workspaceId: string,
  tenantSlug: string | undefined,
): Promise<WorkspaceAccess> {
  const workspace = isUuid(workspaceId) ? await Workspace.query(knex).findById(workspaceId) : undefined;
  if (!workspace || (tenantSlug && workspace.slug !== tenantSlug)) throw new NotFoundError('Workspace');
  return { workspace, role: 'viewer' };
}
