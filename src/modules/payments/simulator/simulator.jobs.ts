/**
 * The simulator's background work, as a real platform does it: notifications are sent over HTTP
 * to the merchant's notify URL and retried until answered with 2xx; a "delayed" payment is settled
 * (and then notified) when its job comes due.
 */
import { z } from 'zod';
import { enqueueJob, type JobDefinition } from '../../../platform/jobs/queue.ts';
import type { Db, Tx } from '../../../platform/db/database.ts';
import { notificationRequest, type SimulatorSecrets } from './simulator-protocol.ts';
import { findSimTransaction, setSimStatus } from './simulator.repository.ts';

const ref = z.object({ protocol: z.enum(['pmpayment', 'epaybl']), id: z.string().min(1).max(100) });

export interface SimulatorJobs {
  notify: JobDefinition<typeof ref>;
  settle: JobDefinition<typeof ref>;
}

/** The simulator's job definitions (registered only when the simulator is served). */
export function simulatorJobs(secrets: SimulatorSecrets, timeoutMs: number): SimulatorJobs {
  const notify: JobDefinition<typeof ref> = {
    type: 'payments.simulator.notify@1',
    payload: ref,
    maxAttempts: 5,
    async handle({ protocol, id }, { db }) {
      const t = await findSimTransaction(db, protocol, id);
      if (!t?.notifyUrl) return;
      const request = notificationRequest(secrets, t);
      const response = await fetch(t.notifyUrl, {
        method: 'POST', headers: { 'content-type': request.contentType, ...request.headers }, body: request.body, redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`notification answered ${response.status}`);
    },
  };
  const settle: JobDefinition<typeof ref> = {
    type: 'payments.simulator.settle@1',
    payload: ref,
    maxAttempts: 5,
    async handle({ protocol, id }, { db }) {
      await db.transaction().execute(async (tx) => {
        if (await setSimStatus(tx, id, ['pending'], 'paid')) await enqueueNotification(tx, notify, protocol, id);
      });
    },
  };
  return { notify, settle };
}

/** Enqueues a notification about the transaction's current status. */
export async function enqueueNotification(db: Db | Tx, notify: SimulatorJobs['notify'], protocol: 'pmpayment' | 'epaybl', id: string): Promise<void> {
  await enqueueJob(db, notify, { protocol, id });
}
