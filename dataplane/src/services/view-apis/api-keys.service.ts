import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { isUuid, newId } from '../../platform/ids.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { generateApiKey } from './api-key-format.js';
import {
  API_KEY_SCOPES,
  toApiKeyView,
  type ApiKeyInput,
  type ApiKeyRow,
  type ApiKeyView,
  type IssuedApiKey,
} from './api-key.js';
import { viewApiOfView } from './view-api-lookup.js';
import type { ViewEditors } from './view-runner.port.js';

/**
 * Keys of a view API: listed without secrets, issued with the secret shown once, revoked at
 * once (every replica forgets the key it cached when the revocation's `workspace.changed`
 * reaches it). Revoked keys stay listed, with `revokedAt`, for the audit trail and analytics.
 */
export class ApiKeysService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly editors: ViewEditors,
  ) {}

  async list(
    access: WorkspaceAccess,
    userId: string,
    viewId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<ApiKeyView>> {
    await this.editors.assertCanEdit(access, userId, viewId);
    const schema = access.workspace.schemaName;
    const api = await viewApiOfView(this.knex, schema, viewId);
    const query = this.knex.withSchema(schema).table('api_keys').where({ view_api_id: api.id });
    const rows = await applyKeyset(query, [{ column: 'id', kind: 'uuid' }], cursor, limit);
    return toPage(rows as ApiKeyRow[], limit, (r) => [r.id], toApiKeyView);
  }

  async create(
    access: WorkspaceAccess,
    actorId: string,
    viewId: string,
    input: ApiKeyInput,
  ): Promise<IssuedApiKey> {
    await this.editors.assertCanEdit(access, actorId, viewId);
    return this.tx.run(actorId, async (uow) => {
      const schema = access.workspace.schemaName;
      const api = await viewApiOfView(uow.trx, schema, viewId, true);
      return this.issue(uow, access, api.id, input);
    });
  }

  /** Inside a transaction that already holds the API (publishing one issues its first key). */
  async issue(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    viewApiId: string,
    input: ApiKeyInput,
  ): Promise<IssuedApiKey> {
    const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw new ValidationError('expiresAt must be in the future', [
        { path: '/expiresAt', message: 'must be in the future' },
      ]);
    const generated = generateApiKey();
    const [row] = await uow.trx
      .withSchema(access.workspace.schemaName)
      .table('api_keys')
      .insert({
        id: newId(),
        view_api_id: viewApiId,
        name: input.name ?? 'default',
        prefix: generated.prefix,
        secret_hash: generated.secretHash,
        scopes: [...new Set(input.scopes ?? API_KEY_SCOPES)],
        expires_at: expiresAt,
        created_by: uow.actorId,
      })
      .returning<ApiKeyRow[]>('*');
    const view = toApiKeyView(row as ApiKeyRow);
    await uow.audit(
      {
        workspaceId: access.workspace.id,
        action: 'api_key.create',
        resourceType: 'api_key',
        resourceId: view.id,
        parentId: viewApiId,
        after: view,
      },
      access.workspace.schemaName,
    );
    uow.emit('api_key.created', access.workspace.id, { viewApiId, keyId: view.id, prefix: view.prefix });
    return { ...view, key: generated.key };
  }

  /** Revokes the key; revoking a revoked key changes nothing. */
  async revoke(access: WorkspaceAccess, actorId: string, viewId: string, keyId: string): Promise<void> {
    await this.editors.assertCanEdit(access, actorId, viewId);
    await this.tx.run(actorId, async (uow) => {
      const schema = access.workspace.schemaName;
      const api = await viewApiOfView(uow.trx, schema, viewId, true);
      if (!isUuid(keyId)) throw new NotFoundError('API key');
      const keys = () => uow.trx.withSchema(schema).table('api_keys');
      const before = (await keys().where({ id: keyId, view_api_id: api.id }).forUpdate().first()) as
        ApiKeyRow | undefined;
      if (!before) throw new NotFoundError('API key');
      if (before.revoked_at) return;
      const [after] = await keys()
        .where({ id: keyId })
        .update({ revoked_at: uow.trx.fn.now() })
        .returning<ApiKeyRow[]>('*');
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'api_key.revoke',
          resourceType: 'api_key',
          resourceId: keyId,
          parentId: api.id,
          before: toApiKeyView(before),
          after: toApiKeyView(after as ApiKeyRow),
        },
        schema,
      );
      uow.emit('api_key.revoked', access.workspace.id, { viewApiId: api.id, keyId });
    });
  }
}
