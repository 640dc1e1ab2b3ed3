import type { Logger } from '../../../dataplane/src/platform/logger.js';
import type { KubeClient, KubeObject } from '../kube/kube-client.js';

export const COMPONENT = 'live-tables-operator';

/**
 * Kubernetes Events about the operator's objects (`kubectl describe` shows them): one for each
 * step a reconcile took and each failure. An Event that cannot be written is logged, never
 * allowed to fail the reconcile it describes.
 */
export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly log: Logger,
    private readonly host: string,
  ) {}

  normal(object: KubeObject, reason: string, message: string): Promise<void> {
    return this.record(object, 'Normal', reason, message);
  }

  warning(object: KubeObject, reason: string, message: string): Promise<void> {
    return this.record(object, 'Warning', reason, message);
  }

  private async record(object: KubeObject, type: string, reason: string, message: string): Promise<void> {
    const { name = '', namespace = 'default', uid, resourceVersion } = object.metadata ?? {};
    const now = new Date().toISOString();
    try {
      await this.client.create(
        { apiVersion: 'v1', plural: 'events', namespace },
        {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name,
            namespace,
            uid,
            resourceVersion,
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: COMPONENT, host: this.host },
          reportingComponent: COMPONENT,
          reportingInstance: this.host,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      );
    } catch (error) {
      this.log.warn({ err: error, reason, object: `${namespace}/${name}` }, 'event not recorded');
    }
  }
}
