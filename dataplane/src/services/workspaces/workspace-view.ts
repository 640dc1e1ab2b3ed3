import type { Workspace, WorkspaceSettings } from '../../store/models/workspace.model.js';
import type { Role } from '../../store/roles.js';

export interface WorkspaceView {
  id: string;
  slug: string;
  name: string;
  description: string;
  settings: Required<WorkspaceSettings>;
  createdAt: string;
  updatedAt: string;
  role?: Role;
}

export const DEFAULT_SETTINGS: Required<WorkspaceSettings> = {
  defaultInviteRole: 'editor',
  auditRetentionDays: 365,
};

export function toWorkspaceView(w: Workspace, role?: Role): WorkspaceView {
  return {
    id: w.id,
    slug: w.slug,
    name: w.name,
    description: w.description,
    settings: { ...DEFAULT_SETTINGS, ...w.settings },
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    ...(role ? { role } : {}),
  };
}
