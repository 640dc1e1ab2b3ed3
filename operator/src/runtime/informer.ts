import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { KubeClient, pathOf, type KubeObject } from '../kube/kube-client.js';
import type { Logger } from 'pino';

/** Which objects an informer follows: one kind, in one namespace or all of them. */
export interface InformerTarget {
  apiVersion: string;
  /** For logs. */
  kind: string;
  /** The REST resource (`deployments`, `workspaces`). */
  plural: string;
  /** Unset: every namespace. */
  namespace?: string;
  /** Only objects with these labels (`app.kubernetes.io/managed-by=live-tables-operator`). */
  labelSelector?: string;
}

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (object: T) => void;

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number };
}

/** Delay before watching again after a watch failed for another reason than 410 Gone. */
const RETRY_DELAY_MS = 1_000;
/** The server ends a watch after this long; it is started again from the last resourceVersion. */
const WATCH_TIMEOUT_SECONDS = 300;

/**
 * A local cache of one kind, kept current by list-then-watch: the watch resumes from the last
 * resourceVersion it saw (events and bookmarks), and only a 410 Gone (that version is older
 * than the server's history) makes it list again, telling handlers what changed meanwhile.
 * Handlers only learn of changes; reconcilers read the cache (or the API) themselves.
 */
export class Informer<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly handlers: Record<InformerEvent, InformerHandler<T>[]> = {
    add: [],
    update: [],
    delete: [],
  };
  private readonly api: KubeClient;
  private readonly watch: Watch;
  private resourceVersion = '';
  private request: AbortController | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = true;
  private synced = false;

  constructor(
    kc: KubeConfig,
    readonly target: InformerTarget,
    private readonly log: Logger,
  ) {
    this.api = new KubeClient(kc);
    this.watch = new Watch(kc);
  }

  on(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event].push(handler);
  }

  /** True once the first list has filled the cache. */
  get hasSynced(): boolean {
    return this.synced;
  }

  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(keyOf(namespace, name));
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  /**
   * Lists, then watches; resolves once the cache is filled (a failed first list rejects). Started
   * again after a stop, it watches from where it was (a 410 then makes it list).
   */
  async start(): Promise<void> {
    this.stopped = false;
    if (!this.resourceVersion) await this.relist();
    await this.startWatch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.request?.abort();
    this.request = undefined;
  }

  private async relist(): Promise<void> {
    const { apiVersion, plural, namespace, labelSelector } = this.target;
    const listed = await this.api.list<T>(
      { apiVersion, plural, ...(namespace ? { namespace } : {}) },
      labelSelector,
    );
    const seen = new Set<string>();
    for (const object of listed.items) {
      const key = keyOfObject(object);
      seen.add(key);
      this.upsert(key, object);
    }
    for (const [key, object] of this.objects)
      if (!seen.has(key)) {
        this.objects.delete(key);
        this.emit('delete', object);
      }
    this.resourceVersion = listed.metadata?.resourceVersion ?? '';
    this.synced = true;
  }

  private async startWatch(): Promise<void> {
    if (this.stopped) return;
    this.request = await this.watch.watch(
      this.path(),
      {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: WATCH_TIMEOUT_SECONDS,
        ...(this.target.labelSelector ? { labelSelector: this.target.labelSelector } : {}),
      },
      (type: string, object: WatchEvent['object']) => this.onEvent(type as WatchEvent['type'], object),
      (error: unknown) => this.onDone(error),
    );
  }

  private onEvent(type: WatchEvent['type'], object: WatchEvent['object']): void {
    if (type === 'ERROR') {
      // 410: our resourceVersion left the server's history; the watch ends and we list again.
      if (object.code === 410) this.resourceVersion = '';
      else this.log.warn({ kind: this.target.kind, status: object }, 'watch error event');
      return;
    }
    const version = object.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (version) this.resourceVersion = version;
      return;
    }
    const key = keyOfObject(object);
    if (type === 'DELETED') {
      this.objects.delete(key);
      this.emit('delete', object as T);
    } else this.upsert(key, object as T);
    if (version) this.resourceVersion = version;
  }

  private onDone(error: unknown): void {
    this.request = undefined;
    if (this.stopped) return;
    if (statusOf(error) === 410) this.resourceVersion = '';
    else if (error) this.log.warn({ err: error, kind: this.target.kind }, 'watch failed; resuming');
    const again = async () => {
      try {
        if (!this.resourceVersion) await this.relist();
        await this.startWatch();
      } catch (failure) {
        this.log.warn({ err: failure, kind: this.target.kind }, 'relist failed; retrying');
        this.retry = setTimeout(() => void again(), RETRY_DELAY_MS);
      }
    };
    // A watch that ended normally (its timeout) resumes at once; a failed one after a pause.
    if (error && statusOf(error) !== 410) this.retry = setTimeout(() => void again(), RETRY_DELAY_MS);
    else void again();
  }

  private upsert(key: string, object: T): void {
    const known = this.objects.get(key);
    this.objects.set(key, object);
    if (!known) this.emit('add', object);
    else if (known.metadata?.resourceVersion !== object.metadata?.resourceVersion)
      this.emit('update', object);
  }

  private emit(event: InformerEvent, object: T): void {
    for (const handler of this.handlers[event]) {
      try {
        handler(object);
      } catch (error) {
        this.log.error({ err: error, kind: this.target.kind, event }, 'informer handler failed');
      }
    }
  }

  private path(): string {
    const { apiVersion, plural, namespace } = this.target;
    return pathOf({ apiVersion, plural, ...(namespace ? { namespace } : {}) });
  }
}

function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOfObject(object: KubeObject): string {
  return keyOf(object.metadata?.namespace, object.metadata?.name ?? '');
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { statusCode?: number; code?: number };
  return e.statusCode ?? e.code;
}
