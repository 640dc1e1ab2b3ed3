import { BadRequestError, ForbiddenError } from '../../platform/errors.js';
import type { RawPipelineQuery } from '../adapter.js';

/**
 * Checks a raw pipeline before it is sent: a collection name and an array of one-operator stages.
 * On a read-only connection, stages that write (`$out`, `$merge`) are refused wherever they are,
 * including the sub-pipelines of `$lookup`, `$unionWith` and `$facet`.
 */
const WRITE_STAGES = new Set(['$out', '$merge']);
const MAX_STAGES = 1000;

type Stage = Record<string, unknown>;

function isStage(value: unknown): value is Stage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] as string).startsWith('$');
}

export function checkPipeline(raw: RawPipelineQuery): Stage[] {
  const { collection, pipeline } = raw;
  if (
    typeof collection !== 'string' ||
    collection.length === 0 ||
    collection.includes('\0') ||
    collection.startsWith('$')
  ) {
    throw new BadRequestError('collection must name a collection', 'invalid_pipeline');
  }
  if (!Array.isArray(pipeline) || pipeline.length > MAX_STAGES || !pipeline.every(isStage)) {
    throw new BadRequestError(
      'pipeline must be an array of stages with one $-operator each',
      'invalid_pipeline',
    );
  }
  return pipeline;
}

/** Sub-pipelines a stage carries (where a write stage could hide). */
function subPipelines(stage: Stage): unknown[] {
  const [name, body] = Object.entries(stage)[0] as [string, unknown];
  if (typeof body !== 'object' || body === null) return [];
  if (name === '$lookup' || name === '$unionWith') return [(body as { pipeline?: unknown }).pipeline];
  if (name === '$facet') return Object.values(body);
  return [];
}

export function assertReadOnlyPipeline(pipeline: unknown[], depth = 0): void {
  if (depth > 20) throw new BadRequestError('pipeline is nested too deeply', 'invalid_pipeline');
  for (const stage of pipeline) {
    if (!isStage(stage)) continue;
    const name = Object.keys(stage)[0] as string;
    if (WRITE_STAGES.has(name)) {
      throw new ForbiddenError(
        `This connection is read-only: ${name} writes and is refused`,
        'read_only_connection',
      );
    }
    for (const sub of subPipelines(stage)) if (Array.isArray(sub)) assertReadOnlyPipeline(sub, depth + 1);
  }
}
