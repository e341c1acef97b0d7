import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { z } from 'zod';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { backoffMs, claimJob, enqueueJob, type JobDefinition } from './queue.ts';
import { createWorker } from './worker.ts';

let t: TestDatabase;
before(async () => { t = await createTestDatabase(); });
after(async () => { await t.drop(); });

const silent = pino({ level: 'silent' });

function recordingJob(type: string, behaviour: (n: number) => void = () => {}) {
  const runs: number[] = [];
  const definition: JobDefinition = {
    type,
    payload: z.object({ n: z.number() }),
    maxAttempts: 3,
    async handle(payload: { n: number }) {
      behaviour(payload.n);
      runs.push(payload.n);
    },
  };
  return { definition, runs };
}

test('a job enqueued in a transaction runs only once the transaction commits, and not at all after a rollback', async () => {
  const { definition, runs } = recordingJob('test.commit@1');
  const worker = createWorker({ db: t.database.db, definitions: [definition], pollMs: 50, log: silent });
  await t.database.db.transaction().execute(async (tx) => { await enqueueJob(tx, definition, { n: 1 }); });
  await assert.rejects(t.database.db.transaction().execute(async (tx) => {
    await enqueueJob(tx, definition, { n: 2 });
    throw new Error('business rule failed');
  }));
  assert.equal(await worker.drain(), 1);
  assert.deepEqual(runs, [1]);
  const job = await t.database.db.selectFrom('jobs').selectAll().where('type', '=', 'test.commit@1').executeTakeFirstOrThrow();
  assert.equal(job.status, 'done');
});

test('a failing job is retried with backoff and marked failed after its last attempt', async () => {
  const { definition } = recordingJob('test.failing@1', () => { throw new Error('SMTP 550 <erika@example.de> rejected'); });
  const worker = createWorker({ db: t.database.db, definitions: [definition], pollMs: 50, log: silent });
  const id = (await enqueueJob(t.database.db, definition, { n: 1 }))!;
  const jobs = t.database.db.selectFrom('jobs').selectAll().where('id', '=', id);
  for (let attempt = 1; attempt <= 3; attempt++) {
    assert.equal(await worker.drain(), 1, `attempt ${attempt} runs`);
    const row = await jobs.executeTakeFirstOrThrow();
    assert.equal(row.attempts, attempt);
    if (attempt < 3) {
      assert.equal(row.status, 'pending');
      assert.ok(row.run_at.getTime() > Date.now() + 3_000, 'next attempt is backed off');
      assert.equal(await worker.drain(), 0, 'not due yet');
      await t.database.db.updateTable('jobs').set({ run_at: new Date() }).where('id', '=', id).execute();
    } else {
      assert.equal(row.status, 'failed');
    }
    assert.doesNotMatch(row.last_error ?? '', /erika@example\.de/, 'no e-mail address in the stored error');
  }
});

test('an idempotency key makes a second enqueue a no-op', async () => {
  const { definition } = recordingJob('test.idempotent@1');
  assert.ok(await enqueueJob(t.database.db, definition, { n: 1 }, { idempotencyKey: 'same' }));
  assert.equal(await enqueueJob(t.database.db, definition, { n: 2 }, { idempotencyKey: 'same' }), null);
  await assert.rejects(enqueueJob(t.database.db, definition, { n: 'x' } as never), 'the payload is checked');
});

test('a job whose worker died is claimed again after its lease; a running job is not claimed twice', async () => {
  const { definition } = recordingJob('test.lease@1');
  const id = (await enqueueJob(t.database.db, definition, { n: 1 }))!;
  const first = await claimJob(t.database.db, ['test.lease@1']);
  assert.equal(first?.id, id);
  assert.equal(await claimJob(t.database.db, ['test.lease@1']), undefined);
  await t.database.db.updateTable('jobs').set({ locked_until: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
  const again = await claimJob(t.database.db, ['test.lease@1']);
  assert.equal(again?.id, id);
  assert.equal(again?.attempts, 2);
});

test('concurrent workers run each job exactly once', async () => {
  const { definition, runs } = recordingJob('test.concurrent@1');
  for (let n = 0; n < 40; n++) await enqueueJob(t.database.db, definition, { n });
  const workers = [1, 2, 3].map(() => createWorker({ db: t.database.db, definitions: [definition], pollMs: 50, log: silent }));
  const counts = await Promise.all(workers.map((w) => w.drain()));
  assert.equal(counts.reduce((a, b) => a + b, 0), 40);
  assert.deepEqual([...runs].sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
});

test('backoff doubles and is capped at one hour', () => {
  const mid = () => 0.5;
  assert.equal(backoffMs(1, mid), 5_000);
  assert.equal(backoffMs(2, mid), 10_000);
  assert.equal(backoffMs(30, mid), 3_600_000);
});
