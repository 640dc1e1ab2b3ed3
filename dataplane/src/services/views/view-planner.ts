import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { ExternalViewPlanner } from './external-view-plan.js';
import type { InternalViewPlanner } from './internal-view-plan.js';
import { isInternal, type ViewDefinition } from './view-definition.js';
import type { PlanOutcome } from './view-plan.js';

/** A definition's plan against its source's current schema: mini-DB or external. */
export class ViewPlanner {
  constructor(
    private readonly internal: InternalViewPlanner,
    private readonly external: ExternalViewPlanner,
  ) {}

  plan(access: WorkspaceAccess, definition: ViewDefinition): Promise<PlanOutcome> {
    const { source } = definition;
    return isInternal(source)
      ? this.internal.plan(access, { ...definition, source })
      : this.external.plan(access, { ...definition, source });
  }
}
