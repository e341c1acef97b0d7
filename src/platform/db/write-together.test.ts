import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { writeTogether } from './write-together.ts';

let t: TestDatabase;
before(async () => { t = await createTestDatabase(); });
after(async () => { await t.drop(); });

const auditRow = (action: string) => t.database.db.insertInto('audit_events').values({ actor_type: 'system', action, details: '{}', subject_id: action });

test('writes every row in one statement, and nothing when one of them fails', async () => {
  const { db } = t.database;
  const tag = randomUUID();
  await db.transaction().execute((tx) => writeTogether(tx, [auditRow(`${tag}-1`), auditRow(`${tag}-2`), tx.insertInto('jobs').values({ type: 'test@1', payload: '{}', idempotency_key: tag })]));
  const audits = await db.selectFrom('audit_events').select('action').where('action', 'like', `${tag}-%`).orderBy('action').execute();
  assert.deepEqual(audits.map((a) => a.action), [`${tag}-1`, `${tag}-2`]);
  assert.equal((await db.selectFrom('jobs').select('id').where('idempotency_key', '=', tag).execute()).length, 1);

  // The second job collides with the first one's unique key: the whole statement fails, so the audit row is not written either.
  const failing = randomUUID();
  await assert.rejects(db.transaction().execute((tx) => writeTogether(tx, [auditRow(`${failing}-1`), tx.insertInto('jobs').values({ type: 'test@1', payload: '{}', idempotency_key: tag })])));
  assert.equal((await db.selectFrom('audit_events').select('id').where('action', '=', `${failing}-1`).execute()).length, 0);
});

test('one write runs as it is; none runs nothing', async () => {
  const tag = randomUUID();
  await writeTogether(t.database.db, [auditRow(tag)]);
  await writeTogether(t.database.db, []);
  assert.equal((await t.database.db.selectFrom('audit_events').select('id').where('action', '=', tag).execute()).length, 1);
});
