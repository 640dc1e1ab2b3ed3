import type { SchemaMigration } from '../../migration-source.js';
import { workspaceAudit } from './001-audit.js';
import { workspaceConnections } from './002-connections.js';
import { workspaceBasesAndTables } from './003-bases-and-tables.js';
import { workspaceAttachments } from './004-attachments.js';
import { workspaceAttachmentCopiesAndRemovals } from './005-attachment-copies-and-removals.js';
import { workspaceConnectionManagedBy } from './006-connection-managed-by.js';
import { workspaceViews } from './007-views.js';
import { workspaceViewApis } from './008-view-apis.js';

/** Migrations every workspace schema (`lt_ws_<slug>`) runs, in order. Append only. */
export const workspaceMigrations: SchemaMigration[] = [
  workspaceAudit,
  workspaceConnections,
  workspaceBasesAndTables,
  workspaceAttachments,
  workspaceAttachmentCopiesAndRemovals,
  workspaceConnectionManagedBy,
  workspaceViews,
  workspaceViewApis,
];
