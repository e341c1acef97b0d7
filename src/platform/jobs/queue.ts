/**
 * A durable job queue in PostgreSQL (transactional outbox): a job is inserted in the same
 * transaction as the change that causes it, and runs after commit, at least once. Workers on any
 * number of instances claim jobs with `FOR UPDATE SKIP LOCKED`; a job whose worker died is claimed
 * again when its lease runs out; failures are retried with exponential backoff.
 */
import { sql } from 'kysely';
import type { z } from 'zod';
import type { Db, Tx } from '../db/database.ts';

/** A job type: a dotted, versioned id (`mail.send@1`), its payload schema and an idempotent handler. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  type: string;
  payload: S;
  maxAttempts?: number;
  handle(payload: z.infer<S>, context: JobContext): Promise<void>;
}

export interface JobContext {
  db: Db;
  jobId: string;
  attempt: number;
}

export interface EnqueueOptions {
  tenantId?: string | null;
  runAt?: Date;
  /** A second enqueue with the same key is ignored (retried requests, periodic schedules). */
  idempotencyKey?: string;
}

/**
 * Adds a job; call it with the transaction that makes the change the job follows from.
 * @returns the job id, or null when a job with the same idempotency key exists.
 * @throws when the payload does not match the job's schema.
 */
export async function enqueueJob<S extends z.ZodType>(
  db: Db | Tx,
  definition: JobDefinition<S>,
  payload: z.infer<S>,
  options: EnqueueOptions = {},
): Promise<string | null> {
  const row = await jobWrite(db, definition, payload, options).returning('id').executeTakeFirst();
  return row?.id ?? null;
}

/**
 * The insert of a job (nothing when its idempotency key is taken), to be sent with other writes of
 * the transaction (`writeTogether`). @throws ZodError when the payload does not fit the job.
 */
export function jobWrite<S extends z.ZodType>(db: Db | Tx, definition: JobDefinition<S>, payload: z.infer<S>, options: EnqueueOptions = {}) {
  const checked = definition.payload.parse(payload);
  return db
    .insertInto('jobs')
    .values({
      type: definition.type,
      payload: JSON.stringify(checked),
      tenant_id: options.tenantId ?? null,
      run_at: options.runAt ?? new Date(),
      max_attempts: definition.maxAttempts ?? 8,
      idempotency_key: options.idempotencyKey ?? null,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing());
}

/** Delay before attempt n+1: 5 s, 10 s, 20 s … capped at one hour, with jitter so retries spread. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface ClaimedJob {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

const LEASE_MS = 5 * 60_000;

/** Claims one due job of the given types, or returns undefined. Safe with concurrent workers. */
export async function claimJob(db: Db, types: string[]): Promise<ClaimedJob | undefined> {
  if (types.length === 0) return undefined;
  const result = await sql<ClaimedJob>`
    UPDATE jobs SET status = 'running', attempts = attempts + 1,
      locked_until = now() + ${`${LEASE_MS} milliseconds`}::interval
    WHERE id = (
      SELECT id FROM jobs
      WHERE type IN (${sql.join(types)})
        AND ((status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
      ORDER BY run_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id, type, payload, attempts, max_attempts`.execute(db);
  const job = result.rows[0];
  if (job && typeof job.payload === 'string') job.payload = JSON.parse(job.payload);
  return job;
}

/** Runs one claimed job and records the outcome: done, retry later, or failed for good. */
export async function runClaimedJob(db: Db, job: ClaimedJob, definition: JobDefinition): Promise<'done' | 'retry' | 'failed'> {
  try {
    const payload = definition.payload.parse(job.payload);
    await definition.handle(payload, { db, jobId: job.id, attempt: job.attempts });
    await db.updateTable('jobs')
      .set({ status: 'done', finished_at: new Date(), locked_until: null, last_error: null })
      .where('id', '=', job.id).execute();
    return 'done';
  } catch (error) {
    const message = describeError(error);
    if (job.attempts >= job.max_attempts) {
      await db.updateTable('jobs')
        .set({ status: 'failed', finished_at: new Date(), locked_until: null, last_error: message })
        .where('id', '=', job.id).execute();
      return 'failed';
    }
    await db.updateTable('jobs')
      .set({ status: 'pending', run_at: new Date(Date.now() + backoffMs(job.attempts)), locked_until: null, last_error: message })
      .where('id', '=', job.id).execute();
    return 'retry';
  }
}

// Error texts end up in the database and the operators' view: strip anything that looks like an
// e-mail address, since SMTP servers like to quote the recipient.
function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/[^\s<>@]+@[^\s<>@]+/g, '<address>').slice(0, 1000);
}
