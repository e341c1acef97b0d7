/**
 * Periodic housekeeping: expired sessions and rate-limit windows are deleted.
 */
import { z } from 'zod';
import { deleteExpiredBuckets } from '../http/rate-limit-store.ts';
import { deleteExpiredSessions } from '../http/session-store.ts';
import type { JobDefinition } from './queue.ts';
import type { Schedule } from './worker.ts';

export const cleanupJob: JobDefinition = {
  type: 'maintenance.cleanup@1',
  payload: z.object({}),
  maxAttempts: 3,
  async handle(_payload, { db }) {
    await deleteExpiredSessions(db);
    await deleteExpiredBuckets(db);
  },
};

export function maintenanceJobs(): Schedule[] {
  return [{ definition: cleanupJob, everyMs: 10 * 60_000 }];
}
