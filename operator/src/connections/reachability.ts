import type { AdapterFactory } from '../../../dataplane/src/adapters/adapter.js';
import { createAdapterFactory } from '../../../dataplane/src/adapters/factory.js';
import { HostNotAllowedError } from '../../../dataplane/src/platform/errors.js';
import type { CheckedHost, HostGuard } from '../../../dataplane/src/services/connections/ports.js';
import type { ConnectionDefinition } from './connection-definition.js';
import { checkSettings } from './connection-settings.js';

/** A check's outcome, in the terms of the Connection's `Reachable` condition and status. */
export type Reachability =
  | {
      reachable: true;
      reason: 'Reachable';
      message: string;
      tables: number;
      target: CheckedHost;
      checkedAt: Date;
    }
  | {
      reachable: false;
      reason: 'HostNotAllowed' | 'HostUnresolvable' | 'Unreachable';
      message: string;
      target: CheckedHost | undefined;
      checkedAt: Date;
    };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Connects as the dataplane would (its host guard, then its adapter for the type), discovers the
 * schema and counts tables and collections (views are not counted). Never throws: a refused host,
 * a failed login or an unreachable server is an answer. The pool is closed again.
 */
export async function checkReachability(
  id: string,
  definition: ConnectionDefinition,
  guard: HostGuard,
  options: { factory?: AdapterFactory; now?: () => Date } = {},
): Promise<Reachability> {
  const now = options.now ?? (() => new Date());
  let target: CheckedHost;
  try {
    target = await guard.check(definition.host, definition.port);
  } catch (error) {
    const unresolvable = error instanceof HostNotAllowedError && error.code === 'host_unresolvable';
    return {
      reachable: false,
      reason:
        error instanceof HostNotAllowedError
          ? unresolvable
            ? 'HostUnresolvable'
            : 'HostNotAllowed'
          : 'Unreachable',
      message: messageOf(error),
      target: undefined,
      checkedAt: now(),
    };
  }
  const adapter = (options.factory ?? createAdapterFactory())(checkSettings(id, definition, target));
  try {
    await adapter.connect();
    const schema = await adapter.discoverSchema();
    const tables = schema.tables.filter((t) => t.kind !== 'view').length;
    const where = `${definition.type} at ${definition.host}:${definition.port}/${definition.database}`;
    return {
      reachable: true,
      reason: 'Reachable',
      message: `${tables} tables found on ${where}`,
      tables,
      target,
      checkedAt: now(),
    };
  } catch (error) {
    return { reachable: false, reason: 'Unreachable', message: messageOf(error), target, checkedAt: now() };
  } finally {
    await adapter.disconnect().catch(() => undefined);
  }
}
