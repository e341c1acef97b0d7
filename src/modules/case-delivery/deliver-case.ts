/**
 * The delivery job: sends one case to one target (webhook or FIT-Connect-style submission) and
 * records the outcome on the delivery. Idempotent: a delivery that is no longer pending is left
 * alone, so a job that runs twice sends at most once more (the receiver sees the same
 * `Idempotency-Key`). A retryable failure throws, and the job queue tries again with exponential
 * backoff (platform/jobs/queue.ts); the last attempt, and a final refusal, mark the delivery failed.
 */
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { TenantKeys } from '../../platform/crypto/tenant-keys.ts';
import type { Db } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/queue.ts';
import { buildCaseDocument, webhookBody } from './build-case-document.ts';
import { countAttempt, findDelivery, recordOutcome, recordRetry, setRemoteId, type Delivery } from './case-delivery.repository.ts';
import { DELIVERY_JOB_TYPE, DELIVERY_MAX_ATTEMPTS, deliveryJobPayload } from './on-case-opened.ts';
import { sendFitConnectSubmission } from './send-fit-connect.ts';
import { sendWebhook, type AttemptOutcome } from './send-webhook.ts';

export interface CaseDeliveryJobDeps {
  cipher: FieldCipher;
  tenantKeys: TenantKeys;
  /** How long one HTTP request may take (default 15 s). */
  timeoutMs?: number;
  /** For tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** A retryable failure: the queue runs the job again later. */
class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryRetry';
  }
}

/** Makes one attempt of a delivery and records it. @throws RetryLater when it should be tried again. */
export async function deliverCase(db: Db, deps: CaseDeliveryJobDeps, tenantId: string, deliveryId: string, attempt: number): Promise<void> {
  const delivery = await findDelivery(db, tenantId, deliveryId);
  if (!delivery || delivery.status !== 'pending') return;
  if (!delivery.target.active) {
    await recordOutcome(db, tenantId, deliveryId, { status: 'failed', error: 'target deactivated' });
    return;
  }
  const document = await buildCaseDocument(db, deps, tenantId, delivery.caseId);
  if (!document) {
    await recordOutcome(db, tenantId, deliveryId, { status: 'failed', error: 'case not found' });
    return;
  }
  await countAttempt(db, tenantId, deliveryId);
  const outcome = await send(db, deps, delivery, document);
  if (outcome.kind === 'delivered') {
    await recordOutcome(db, tenantId, deliveryId, { status: 'delivered', error: null, remoteId: outcome.remoteId });
  } else if (outcome.kind === 'permanent' || attempt >= DELIVERY_MAX_ATTEMPTS) {
    await recordOutcome(db, tenantId, deliveryId, { status: 'failed', error: outcome.error });
  } else {
    await recordRetry(db, tenantId, deliveryId, outcome.error);
    throw new RetryLater(outcome.error);
  }
}

async function send(db: Db, deps: CaseDeliveryJobDeps, delivery: Delivery, document: NonNullable<Awaited<ReturnType<typeof buildCaseDocument>>>): Promise<AttemptOutcome> {
  const http = { timeoutMs: deps.timeoutMs ?? 15_000, fetch: deps.fetch ?? fetch };
  const { target } = delivery;
  if (target.kind === 'webhook') {
    if (!target.secretEnc) return { kind: 'permanent', error: 'target has no secret' };
    return sendWebhook(target.url, deps.cipher.decrypt(target.secretEnc), delivery.id, webhookBody(document, delivery.id), http);
  }
  if (!target.destinationId || !target.encryptionJwk) return { kind: 'permanent', error: 'target has no destination or key' };
  return sendFitConnectSubmission(
    { url: target.url, destinationId: target.destinationId, jwk: target.encryptionJwk }, document, delivery.id,
    { submissionId: delivery.remoteId, onAnnounced: (id) => setRemoteId(db, delivery.tenantId, delivery.id, id) },
    http,
  );
}

/** The delivery job with the app's services; register it with the worker. */
export function createCaseDeliveryJob(deps: CaseDeliveryJobDeps): JobDefinition<typeof deliveryJobPayload> {
  return {
    type: DELIVERY_JOB_TYPE,
    payload: deliveryJobPayload,
    maxAttempts: DELIVERY_MAX_ATTEMPTS,
    async handle(payload, { db, attempt }) {
      await deliverCase(db, deps, payload.tenantId, payload.deliveryId, attempt);
    },
  };
}
