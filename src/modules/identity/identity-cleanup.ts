/**
 * Periodic deletion of expired SAML state (outstanding requests, used-assertion records).
 */
import { z } from 'zod';
import type { JobDefinition } from '../../platform/jobs/queue.ts';
import type { Schedule } from '../../platform/jobs/worker.ts';
import { deleteExpiredSamlState } from './identity.repository.ts';

export const identityCleanupJob: JobDefinition = {
  type: 'identity.cleanup@1',
  payload: z.object({}),
  maxAttempts: 3,
  async handle(_payload, { db }) {
    await deleteExpiredSamlState(db);
  },
};

/** Every ten minutes. */
export function identitySchedules(): Schedule[] {
  return [{ definition: identityCleanupJob, everyMs: 10 * 60_000 }];
}
