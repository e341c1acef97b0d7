/**
 * The job worker: polls for due jobs of the types it knows and runs them one after another.
 * Runs inside the web process by default, or alone (`npm run worker`); any number may run.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import { claimJob, enqueueJob, runClaimedJob, type JobDefinition } from './queue.ts';

export interface Schedule {
  definition: JobDefinition;
  everyMs: number;
}

export interface Worker {
  /** Runs due jobs until none is left (or `limit` ran); returns how many ran. */
  drain(limit?: number): Promise<number>;
  start(): void;
  /** Stops polling and waits for the running job to finish. */
  stop(): Promise<void>;
}

/** Creates a worker for the given job definitions and periodic schedules. */
export function createWorker(options: {
  db: Db;
  definitions: JobDefinition[];
  schedules?: Schedule[];
  pollMs: number;
  log: Logger;
}): Worker {
  const { db, log } = options;
  const byType = new Map(options.definitions.map((d) => [d.type, d]));
  for (const s of options.schedules ?? []) byType.set(s.definition.type, s.definition);
  const types = [...byType.keys()];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;

  // Periodic jobs are enqueued with a key per time slot, so that with several instances each
  // slot runs once.
  const schedulePeriodic = async () => {
    for (const s of options.schedules ?? []) {
      const slot = Math.floor(Date.now() / s.everyMs);
      await enqueueJob(db, s.definition, {}, { idempotencyKey: `${s.definition.type}:${slot}` });
    }
  };

  const drain = async (limit = Number.POSITIVE_INFINITY) => {
    let count = 0;
    while (count < limit) {
      const job = await claimJob(db, types);
      if (!job) break;
      const definition = byType.get(job.type);
      if (!definition) break;
      const outcome = await runClaimedJob(db, job, definition);
      // Job ids and types only: payloads may hold personal data.
      log[outcome === 'failed' ? 'error' : outcome === 'retry' ? 'warn' : 'debug']({ jobId: job.id, type: job.type, attempt: job.attempts, outcome }, 'job ran');
      count++;
    }
    return count;
  };

  const tick = () => {
    running = (async () => {
      try {
        await schedulePeriodic();
        await drain(50);
      } catch (error) {
        log.error({ err: error }, 'worker tick failed');
      }
    })().finally(() => {
      if (!stopped) timer = setTimeout(tick, options.pollMs);
    });
  };

  return {
    drain,
    start() {
      if (!stopped) return;
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
