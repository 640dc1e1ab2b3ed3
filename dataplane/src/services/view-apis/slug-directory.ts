import type { Knex } from 'knex';
import { ConflictError } from '../../platform/errors.js';
import { OLD_SLUG_REDIRECT_DAYS } from './view-api.js';

/**
 * The global directory of public API slugs (control table `public_api_slugs`, ADR 0020). A slug
 * belongs to one view API at a time: its current slug, or an old one that redirects to the
 * current slug for OLD_SLUG_REDIRECT_DAYS after a rename. An expired old slug is free again.
 * Every call runs in the caller's transaction, beside the change of `view_apis` it goes with.
 */
export class SlugDirectory {
  /** Makes `slug` the API's current slug: new, or one of its own old slugs taken back. */
  async claim(trx: Knex, slug: string, workspaceId: string, viewApiId: string): Promise<void> {
    await trx('public_api_slugs').where({ slug }).where('redirect_until', '<=', trx.fn.now()).delete();
    const inserted = await trx('public_api_slugs')
      .insert({ slug, workspace_id: workspaceId, view_api_id: viewApiId })
      .onConflict('slug')
      .ignore()
      .returning('slug');
    if (inserted.length > 0) return;
    const taken = await trx('public_api_slugs')
      .where({ slug, view_api_id: viewApiId })
      .update({ redirect_until: null })
      .returning('slug');
    if (taken.length === 0) throw new ConflictError(`The slug "${slug}" is taken`, 'slug_taken');
  }

  /** The old current slug redirects to the new one for a while. */
  async rename(trx: Knex, from: string, to: string, workspaceId: string, viewApiId: string): Promise<void> {
    await trx('public_api_slugs')
      .where({ slug: from, view_api_id: viewApiId })
      .update({ redirect_until: trx.raw('now() + make_interval(days => ?)', [OLD_SLUG_REDIRECT_DAYS]) });
    await this.claim(trx, to, workspaceId, viewApiId);
  }

  /** Frees every slug of the API (it is deleted): they answer 404 at once. */
  async release(trx: Knex, viewApiId: string): Promise<void> {
    await trx('public_api_slugs').where({ view_api_id: viewApiId }).delete();
  }

  /** Old slugs still redirecting to the API, newest first. */
  async previous(knex: Knex, viewApiId: string): Promise<{ slug: string; redirectUntil: string }[]> {
    const rows = await knex('public_api_slugs')
      .where({ view_api_id: viewApiId })
      .where('redirect_until', '>', knex.fn.now())
      .orderBy('redirect_until', 'desc')
      .select<{ slug: string; redirect_until: Date }[]>('slug', 'redirect_until');
    return rows.map((r) => ({ slug: r.slug, redirectUntil: r.redirect_until.toISOString() }));
  }
}
