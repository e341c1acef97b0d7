/**
 * When a case is opened (inside the submission transaction), one delivery per active target of the
 * tenant that takes the procedure, each with its delivery job. Both are written in that
 * transaction, so a submission that rolls back delivers nothing and a committed one is delivered
 * even if the process dies right after.
 */
import { z } from 'zod';
import { enqueueJob } from '../../platform/jobs/queue.ts';
import type { CaseOpenedListener } from '../cases/index.ts';
import { insertDeliveries, listTargetIdsForProcedure } from './case-delivery.repository.ts';

/** The delivery job's type, payload and attempts; the handler is built with the app's services (createCaseDeliveryJob). */
export const DELIVERY_JOB_TYPE = 'case-delivery.deliver@1';
export const deliveryJobPayload = z.object({ tenantId: z.uuid(), deliveryId: z.uuid() });
/** 5 s, 10 s … (backoffMs in platform/jobs/queue.ts) capped at an hour: about four hours of tries. */
export const DELIVERY_MAX_ATTEMPTS = 12;

const deliveryJobReference = {
  type: DELIVERY_JOB_TYPE,
  payload: deliveryJobPayload,
  maxAttempts: DELIVERY_MAX_ATTEMPTS,
  handle: async () => { throw new Error('registered by createCaseDeliveryJob'); },
};

/**
 * Creates the deliveries of a newly opened case and enqueues a job for each (idempotency key: the
 * delivery id). Call it with the submission's transaction; a second call for the same case adds nothing.
 */
export const onCaseOpened: CaseOpenedListener = async (tx, event) => {
  const targetIds = await listTargetIdsForProcedure(tx, event.tenantId, event.procedureId);
  const deliveryIds = await insertDeliveries(tx, event.tenantId, event.caseId, targetIds);
  for (const deliveryId of deliveryIds) {
    await enqueueJob(tx, deliveryJobReference, { tenantId: event.tenantId, deliveryId }, { tenantId: event.tenantId, idempotencyKey: `case-delivery:${deliveryId}` });
  }
};
