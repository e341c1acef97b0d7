import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import type { Db } from '../../platform/db/database.ts';
import { upsertTenant } from '../tenants/index.ts';
import { hashEntry } from './case-trail-hash.ts';
import { GENESIS_HASH, listCaseTrail, recordCaseAction, verifyCaseTrail, type CaseAction } from './index.ts';

let t: TestDatabase;
let db: Db;
before(async () => { t = await createTestDatabase(); db = t.database.db; });
after(async () => { await t.drop(); });

async function newTenant(): Promise<string> {
  const slug = `trail-${randomUUID().slice(0, 8)}`;
  return (await upsertTenant(db, { slug, name: `Markt ${slug}`, kind: 'state_authority' })).id;
}

function action(tenantId: string, caseId: string, extra: Partial<CaseAction> = {}): CaseAction {
  return { tenantId, caseId, action: 'case.status_changed', actorType: 'staff', actorId: randomUUID(), trustLevel: null, details: { from: 'submitted', to: 'in_progress' }, ...extra };
}

/** A tenant with `n` entries on one case. */
async function tenantWithEntries(n: number): Promise<{ tenantId: string; caseId: string }> {
  const tenantId = await newTenant();
  const caseId = randomUUID();
  for (let i = 1; i <= n; i++) await recordCaseAction(db, action(tenantId, caseId, { details: { step: i } }));
  return { tenantId, caseId };
}

/** What only the table owner (or a superuser) can do: change the trail past its trigger. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE case_trail DISABLE TRIGGER case_trail_append_only`.execute(tx);
    await statement.execute(tx);
    await sql`ALTER TABLE case_trail ENABLE TRIGGER case_trail_append_only`.execute(tx);
  });
}

test('entries are chained per tenant from the genesis hash, listed per case oldest first, and verify', async () => {
  const tenantA = await newTenant();
  const tenantB = await newTenant();
  const case1 = randomUUID();
  const case2 = randomUUID();
  const citizen = randomUUID();
  const first = await recordCaseAction(db, { tenantId: tenantA, caseId: case1, action: 'case.opened', actorType: 'citizen', actorId: citizen, trustLevel: 'substantiell', details: { procedureId: randomUUID() } });
  const other = await recordCaseAction(db, action(tenantB, randomUUID()));
  const second = await recordCaseAction(db, action(tenantA, case2));
  const third = await db.transaction().execute((tx) => recordCaseAction(tx, { tenantId: tenantA, caseId: case1, action: 'case.decided', actorType: 'system', actorId: null, trustLevel: null }));
  assert.deepEqual([first.seq, second.seq, third.seq, other.seq], [1, 2, 3, 1], 'one gap-free chain per tenant');
  assert.match(first.hash, /^[0-9a-f]{64}$/);

  const trail = await listCaseTrail(db, tenantA, case1);
  assert.deepEqual(trail.map((e) => [e.seq, e.action]), [[1, 'case.opened'], [3, 'case.decided']]);
  const opened = trail[0]!;
  assert.equal(opened.prevHash, GENESIS_HASH);
  assert.equal(opened.hash, first.hash);
  assert.equal(opened.actorType, 'citizen');
  assert.equal(opened.actorId, citizen);
  assert.equal(opened.trustLevel, 'substantiell');
  assert.ok(opened.createdAt instanceof Date && Math.abs(opened.createdAt.getTime() - Date.now()) < 60_000);
  assert.deepEqual(trail[1]!.details, {});
  assert.equal(trail[1]!.prevHash, second.hash, 'seq 3 points to seq 2 (of the other case)');
  assert.deepEqual(await listCaseTrail(db, tenantB, case1), [], "another tenant's view of the case is empty");
  assert.deepEqual(await listCaseTrail(db, tenantA, 'not-a-uuid'), []);

  const head = await db.selectFrom('case_trail_heads').selectAll().where('tenant_id', '=', tenantA).executeTakeFirstOrThrow();
  assert.deepEqual([Number(head.seq), head.hash], [3, third.hash]);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: tenantA }), { ok: true, checked: 3 });
  const all = await verifyCaseTrail(db);
  assert.ok(all.ok);
  assert.equal(all.checked, 4, 'every tenant of the database');
});

test('what is read back hashes as what was written: jsonb key order, numbers, Unicode, upper-case UUIDs', async () => {
  const tenantId = await newTenant();
  const caseId = randomUUID();
  const details = { zeta: 'Straße – „Bescheid“ 🏛', alpha: 0.1 + 0.2, big: 1e21, max: Number.MAX_SAFE_INTEGER, negZero: -0, tiny: 5e-324, yes: true, nothing: null, '': '', 'a"b': '\\' };
  const { hash } = await recordCaseAction(db, { tenantId: tenantId.toUpperCase(), caseId: caseId.toUpperCase(), action: 'case.note_added', actorType: 'integration', actorId: 'client-7', trustLevel: 'hoch', details });
  const [entry] = await listCaseTrail(db, tenantId, caseId);
  assert.ok(entry);
  assert.equal(entry.tenantId, tenantId);
  assert.equal(hashEntry(entry), hash);
  assert.equal(entry.hash, hash);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId }), { ok: true, checked: 1 });
});

test('a detail changed past the trigger: the changed entry is named', async () => {
  const { tenantId } = await tenantWithEntries(4);
  await tamper(sql`UPDATE case_trail SET details = '{"step": 99}' WHERE tenant_id = ${tenantId} AND seq = 2`);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId }), { ok: false, checked: 1, tenantId, seq: 2, reason: 'changed_entry' });
});

test('a changed entry with a recomputed hash breaks the link to the next entry', async () => {
  const { tenantId, caseId } = await tenantWithEntries(4);
  const entry = (await listCaseTrail(db, tenantId, caseId))[1]!;
  const forged = hashEntry({ ...entry, actorId: 'someone-else' });
  await tamper(sql`UPDATE case_trail SET actor_id = 'someone-else', hash = ${forged} WHERE tenant_id = ${tenantId} AND seq = 2`);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId }), { ok: false, checked: 2, tenantId, seq: 3, reason: 'wrong_prev_hash' });
});

test('a deleted entry in the middle is named as the gap; one deleted at the end too', async () => {
  const middle = await tenantWithEntries(5);
  await tamper(sql`DELETE FROM case_trail WHERE tenant_id = ${middle.tenantId} AND seq = 3`);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: middle.tenantId }), { ok: false, checked: 2, tenantId: middle.tenantId, seq: 3, reason: 'missing_entry' });

  const end = await tenantWithEntries(3);
  await tamper(sql`DELETE FROM case_trail WHERE tenant_id = ${end.tenantId} AND seq = 3`);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: end.tenantId }), { ok: false, checked: 2, tenantId: end.tenantId, seq: 3, reason: 'missing_entry' });
});

test('the head must match the last entry: changed head, entries beyond it, no head at all', async () => {
  const changed = await tenantWithEntries(2);
  await db.updateTable('case_trail_heads').set({ hash: 'f'.repeat(64) }).where('tenant_id', '=', changed.tenantId).execute();
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: changed.tenantId }), { ok: false, checked: 2, tenantId: changed.tenantId, seq: 2, reason: 'head_mismatch' });

  // A forged, correctly chained entry appended without moving the head.
  const beyond = await tenantWithEntries(2);
  const last = (await listCaseTrail(db, beyond.tenantId, beyond.caseId))[1]!;
  const extra = { ...last, seq: 3, prevHash: last.hash, createdAt: new Date() };
  await db.insertInto('case_trail').values({
    tenant_id: extra.tenantId, seq: 3, case_id: extra.caseId, action: extra.action, actor_type: extra.actorType, actor_id: extra.actorId,
    trust_level: extra.trustLevel, details: JSON.stringify(extra.details), created_at: extra.createdAt, prev_hash: extra.prevHash, hash: hashEntry(extra),
  }).execute();
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: beyond.tenantId }), { ok: false, checked: 2, tenantId: beyond.tenantId, seq: 3, reason: 'head_mismatch' });

  const headless = await tenantWithEntries(2);
  await db.deleteFrom('case_trail_heads').where('tenant_id', '=', headless.tenantId).execute();
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: headless.tenantId }), { ok: false, checked: 0, tenantId: headless.tenantId, seq: 2, reason: 'head_mismatch' });
});

test('the trigger refuses UPDATE and DELETE of trail entries', async () => {
  const { tenantId } = await tenantWithEntries(2);
  await assert.rejects(db.updateTable('case_trail').set({ action: 'x' }).where('tenant_id', '=', tenantId).execute(), /append-only/);
  await assert.rejects(db.deleteFrom('case_trail').where('tenant_id', '=', tenantId).where('seq', '=', '2').execute(), /append-only/);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId }), { ok: true, checked: 2 });
});

test('an entry rolls back with the transaction of the action it records, and the chain continues gap-free', async () => {
  const { tenantId, caseId } = await tenantWithEntries(1);
  await assert.rejects(db.transaction().execute(async (tx) => {
    assert.equal((await recordCaseAction(tx, action(tenantId, caseId))).seq, 2);
    throw new Error('the status change failed');
  }), /status change failed/);
  assert.equal((await recordCaseAction(db, action(tenantId, caseId))).seq, 2);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId }), { ok: true, checked: 2 });
});

test('concurrent appends in one tenant (including the very first) give one gap-free chain', async () => {
  const tenantId = await newTenant();
  const other = await newTenant();
  const runs = Array.from({ length: 24 }, (_, i) => i % 3 === 0
    // Some inside a longer transaction that does other work before and after.
    ? db.transaction().execute(async (tx) => {
      await sql`SELECT 1`.execute(tx);
      const r = await recordCaseAction(tx, action(tenantId, randomUUID(), { details: { i } }));
      await sql`SELECT 1`.execute(tx);
      return r;
    })
    : recordCaseAction(db, action(i % 4 === 1 ? other : tenantId, randomUUID(), { details: { i } })));
  const results = await Promise.all(runs);
  const ownSeqs = results.filter((_, i) => !(i % 3 !== 0 && i % 4 === 1)).map((r) => r.seq).sort((a, b) => a - b);
  assert.deepEqual(ownSeqs, Array.from({ length: ownSeqs.length }, (_, i) => i + 1));
  assert.deepEqual(await verifyCaseTrail(db, { tenantId }), { ok: true, checked: ownSeqs.length });
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: other }), { ok: true, checked: 24 - ownSeqs.length });
});

test('verification reads in pages: page boundaries at and around the chain length', async () => {
  const { tenantId } = await tenantWithEntries(6);
  for (const batchSize of [1, 2, 3, 5, 6, 7]) assert.deepEqual(await verifyCaseTrail(db, { tenantId, batchSize }), { ok: true, checked: 6 }, `batch ${batchSize}`);
  await tamper(sql`DELETE FROM case_trail WHERE tenant_id = ${tenantId} AND seq = 5`);
  for (const batchSize of [1, 2, 4, 5]) assert.deepEqual(await verifyCaseTrail(db, { tenantId, batchSize }), { ok: false, checked: 4, tenantId, seq: 5, reason: 'missing_entry' }, `batch ${batchSize}`);
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: await newTenant() }), { ok: true, checked: 0 }, 'a tenant without a trail');
  assert.deepEqual(await verifyCaseTrail(db, { tenantId: 'no-uuid' }), { ok: true, checked: 0 });
});

test('what cannot be stored and read back as hashed is refused; undefined details are left out', async () => {
  const tenantId = await newTenant();
  const caseId = randomUUID();
  await assert.rejects(recordCaseAction(db, action('tenant-1', caseId)), TypeError);
  await assert.rejects(recordCaseAction(db, action(tenantId, caseId, { details: { n: Number.NaN } })), TypeError);
  await assert.rejects(recordCaseAction(db, action(tenantId, caseId, { details: { nested: { a: 1 } as never } })), TypeError);
  await assert.rejects(recordCaseAction(db, action(tenantId, caseId, { details: { s: 'a\u0000b' } })), TypeError);
  await assert.rejects(recordCaseAction(db, action(tenantId, caseId, { actorType: 'anonymous' as never })), TypeError);
  assert.deepEqual(await listCaseTrail(db, tenantId, caseId), []);
  // An optional detail left undefined is left out, as JSON leaves it out, and the entry verifies.
  await recordCaseAction(db, action(tenantId, caseId, { details: { reason: undefined as never, to: 'closed' } }));
  assert.deepEqual((await listCaseTrail(db, tenantId, caseId))[0]!.details, { to: 'closed' });
  assert.deepEqual(await verifyCaseTrail(db, { tenantId }), { ok: true, checked: 1 });
});
