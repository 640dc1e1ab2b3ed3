import { NotFoundError } from '../../platform/errors.js';
import type { ViewRunner } from './view-runner.port.js';

/**
 * The views engine of a dataplane assembled without one: no view exists, so no view can be
 * published and every public API answers 404. The composition root uses it until it is given
 * the engine of services/views.
 */
export const NO_VIEWS: ViewRunner = {
  describe: async () => {
    throw new NotFoundError('View');
  },
  runPublic: async () => {
    throw new NotFoundError('View');
  },
  dataVersion: async () => {
    throw new NotFoundError('View');
  },
};
