import type { ApiAuthMode } from './view-api.js';
import type { ApiKeyScope } from './api-key.js';
import type { ViewShape } from './view-runner.port.js';

/** An enabled view API as the public endpoint serves it: settings, workspace and view shape. */
export interface PublishedApi {
  id: string;
  workspaceId: string;
  /** The workspace's schema (its keys and usage are kept there). */
  schema: string;
  viewId: string;
  slug: string;
  auth: ApiAuthMode;
  /** The settings' version: part of every cache key, so a change of settings starts afresh. */
  version: number;
  cacheTtlSeconds: number;
  staleSeconds: number;
  requestsPerMinute: number;
  requestsPerMinutePerIp: number;
  corsOrigins: readonly string[];
  view: ViewShape;
}

/** What a slug leads to: an API, or (an old slug) the current slug of its API. */
export type SlugResolution = { kind: 'api'; api: PublishedApi } | { kind: 'moved'; slug: string };

/** A key that passed verification. */
export interface VerifiedKey {
  id: string;
  scopes: readonly ApiKeyScope[];
}
