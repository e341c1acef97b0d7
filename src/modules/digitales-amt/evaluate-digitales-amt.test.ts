import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import type { Db } from '../../platform/db/database.ts';
import { createWorker } from '../../platform/jobs/worker.ts';
import { upsertOnlineProcedure } from '../catalog/catalog.repository.ts';
import { upsertStaffAccount } from '../staff/index.ts';
import { upsertTenant, type NewTenant } from '../tenants/index.ts';
import { confirmAward } from './confirm-award.ts';
import { listHolders, listStandings } from './digitales-amt.repository.ts';
import { digitalesAmtEvaluateJob, digitalesAmtSchedules, enqueueDigitalesAmtEvaluation, evaluateDigitalesAmt } from './evaluate-digitales-amt.ts';
import { findAward } from './find-award.ts';

let testDb: TestDatabase;
let db: Db;
let services: { leika_key: string; name: string }[];
let freeAgs: string[];
before(async () => {
  testDb = await createTestDatabase();
  db = testDb.database.db;
  services = await db.selectFrom('services').select(['leika_key', 'name']).orderBy('leika_key').limit(60).execute();
  assert.equal(services.length, 60);
  freeAgs = (await db.selectFrom('municipalities').select('ags').orderBy('ags').limit(20).execute()).map((m) => m.ags);
});
after(async () => { await testDb.drop(); });

let tenants = 0;
/** A connected municipality tenant (unless told otherwise) on a municipality of its own. */
async function createTenant(overrides: Partial<NewTenant> = {}) {
  const n = tenants++;
  const kind = overrides.kind ?? 'municipality';
  return upsertTenant(db, {
    slug: `test-${n}`, name: `Testbehörde ${n}`, kind,
    municipalityAgs: kind === 'municipality' ? freeAgs[n]! : null,
    districtKey: kind === 'district_office' ? freeAgs[n]!.slice(0, 5) : null,
    connectedAt: new Date('2026-02-01T08:00:00Z'),
    ...overrides,
  });
}

/** Links online procedures for services [from, to). */
async function link(tenantId: string, from: number, to: number, name = 'online') {
  for (let i = from; i < to; i++) {
    const s = services[i]!;
    await upsertOnlineProcedure(db, tenantId, { leikaKey: s.leika_key, name: `${s.name} ${name}`, kind: 'internal', url: null, maturityModel: '2', maturityLevel: 4 });
  }
}

async function setActive(tenantId: string, leikaKey: string, active: boolean) {
  await db.updateTable('online_procedures').set({ active }).where('tenant_id', '=', tenantId).where('leika_key', '=', leikaKey).execute();
}

const awardOf = (tenantId: string) => db.selectFrom('digitales_amt_awards').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
const listed = async (tenantId: string) => (await listHolders(db)).some((h) => h.tenant_id === tenantId);
const auditActions = async (tenantId: string) =>
  (await db.selectFrom('audit_events').select('action').where('tenant_id', '=', tenantId).orderBy('created_at').execute()).map((e) => e.action);

test('49 services: no award, not listed; the 50th service: awarded and listed', async () => {
  const tenant = await createTenant();
  await link(tenant.id, 0, 49);
  const first = await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.equal(first.evaluated, 1);
  assert.deepEqual(first.awarded, []);
  assert.equal(await awardOf(tenant.id), undefined);
  assert.equal(await listed(tenant.id), false);
  assert.equal(await findAward(db, tenant.municipality_ags!), undefined);

  await link(tenant.id, 49, 50);
  const second = await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.deepEqual(second.awarded, [tenant.id]);
  const award = await awardOf(tenant.id);
  assert.equal(award?.procedure_count, 50);
  assert.ok(award.qualified_at instanceof Date && Date.now() - award.qualified_at.getTime() < 60_000, 'qualified now');
  assert.equal(award.confirmed_at, null);
  assert.equal(await listed(tenant.id), true);
  const shown = await findAward(db, tenant.municipality_ags!);
  assert.equal(shown?.procedureCount, 50);
  assert.deepEqual(await auditActions(tenant.id), ['digitales_amt.awarded']);
});

test('a service with two online procedures counts once', async () => {
  const tenant = await createTenant();
  await link(tenant.id, 0, 49);
  await link(tenant.id, 0, 1, 'online, zweites Verfahren');
  assert.equal(await db.selectFrom('online_procedures').select('id').where('tenant_id', '=', tenant.id).execute().then((r) => r.length), 50);
  await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.equal(await awardOf(tenant.id), undefined);
  assert.equal((await listStandings(db)).find((s) => s.tenant_id === tenant.id)?.count, 49);
});

test('inactive procedures do not count', async () => {
  const tenant = await createTenant();
  await link(tenant.id, 0, 50);
  await setActive(tenant.id, services[0]!.leika_key, false);
  await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.equal(await awardOf(tenant.id), undefined);
});

test('the job is idempotent: run twice, one award, one audit event, the first date kept', async () => {
  const tenant = await createTenant();
  await link(tenant.id, 0, 55);
  await db.transaction().execute(async (tx) => {
    await enqueueDigitalesAmtEvaluation(tx, tenant.id);
    await enqueueDigitalesAmtEvaluation(tx, tenant.id);
  });
  const worker = createWorker({ db, definitions: [digitalesAmtEvaluateJob], pollMs: 1000, log: pino({ level: 'silent' }) });
  assert.equal(await worker.drain(), 2);
  const jobs = await db.selectFrom('jobs').select(['status', 'tenant_id']).where('type', '=', 'digitales-amt.evaluate@1').execute();
  assert.deepEqual(jobs.map((j) => [j.status, j.tenant_id]), [['done', tenant.id], ['done', tenant.id]]);
  const rows = await db.selectFrom('digitales_amt_awards').selectAll().where('tenant_id', '=', tenant.id).execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.procedure_count, 55);
  assert.deepEqual(await auditActions(tenant.id), ['digitales_amt.awarded']);

  // A periodic run (no tenant) changes nothing either.
  await evaluateDigitalesAmt(db);
  assert.deepEqual((await awardOf(tenant.id))?.qualified_at, rows[0]!.qualified_at);
  assert.deepEqual(await auditActions(tenant.id), ['digitales_amt.awarded']);
});

test('the periodic run (every ten minutes) evaluates every municipality', async () => {
  const tenant = await createTenant();
  await link(tenant.id, 0, 50);
  const schedules = digitalesAmtSchedules();
  assert.deepEqual(schedules.map((s) => [s.definition.type, s.everyMs]), [['digitales-amt.evaluate@1', 600_000]]);
  // One worker tick: enqueues the slot's job (payload {}) and runs it.
  const worker = createWorker({ db, definitions: [], schedules, pollMs: 60_000, log: pino({ level: 'silent' }) });
  worker.start();
  await worker.stop();
  assert.equal((await awardOf(tenant.id))?.procedure_count, 50);
  const periodic = await db.selectFrom('jobs').select(['status', 'idempotency_key']).where('type', '=', 'digitales-amt.evaluate@1').where('tenant_id', 'is', null).execute();
  assert.equal(periodic.length, 1);
  assert.equal(periodic[0]!.status, 'done');
  assert.match(periodic[0]!.idempotency_key!, /^digitales-amt\.evaluate@1:\d+$/);
});

test('falling below 50 keeps the confirmed award but unlists it; back at 50 it is listed with its first date', async () => {
  const tenant = await createTenant();
  const staffId = await upsertStaffAccount(db, { email: 'ministerium-test@example.invalid', displayName: 'Test', passwordHash: 'x' });
  await link(tenant.id, 0, 50);
  await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.equal((await confirmAward(db, { tenantId: tenant.id, staffId })).ok, true);
  const awarded = await awardOf(tenant.id);

  await setActive(tenant.id, services[10]!.leika_key, false);
  const lapse = await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.deepEqual(lapse.lapsed, [tenant.id]);
  const kept = await awardOf(tenant.id);
  assert.equal(kept?.procedure_count, 49);
  assert.deepEqual(kept.confirmed_at, awarded?.confirmed_at, 'the confirmation is kept');
  assert.equal(kept.confirmed_by, staffId);
  assert.equal(await listed(tenant.id), false);
  assert.equal(await findAward(db, tenant.municipality_ags!), undefined);
  const open = (await listStandings(db)).find((s) => s.tenant_id === tenant.id);
  assert.equal(open?.holds, false);
  assert.deepEqual(open.qualified_at, awarded?.qualified_at);
  assert.equal((await confirmAward(db, { tenantId: tenant.id, staffId })).ok, false);

  await setActive(tenant.id, services[10]!.leika_key, true);
  const regain = await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.deepEqual(regain.regained, [tenant.id]);
  assert.equal(await listed(tenant.id), true);
  assert.deepEqual((await awardOf(tenant.id))?.qualified_at, awarded?.qualified_at);
  assert.deepEqual(await auditActions(tenant.id), ['digitales_amt.awarded', 'digitales_amt.confirmed', 'digitales_amt.lapsed', 'digitales_amt.regained']);
});

test('only connected municipalities qualify: not a district office, not a ministry, not an unconnected municipality', async () => {
  const district = await createTenant({ kind: 'district_office' });
  const ministry = await createTenant({ kind: 'ministry' });
  const unconnected = await createTenant({ connectedAt: null });
  for (const t of [district, ministry, unconnected]) await link(t.id, 0, 60);
  const result = await evaluateDigitalesAmt(db, { tenantId: district.id });
  assert.equal(result.evaluated, 0);
  await evaluateDigitalesAmt(db);
  for (const t of [district, ministry, unconnected]) assert.equal(await awardOf(t.id), undefined, t.kind);
  const standings = await listStandings(db);
  assert.ok(!standings.some((s) => [district.id, ministry.id, unconnected.id].includes(s.tenant_id)));
});

test('confirming: an unknown award is not found, a second confirmation is refused', async () => {
  const tenant = await createTenant();
  const staffId = await upsertStaffAccount(db, { email: 'ministerium-zwei@example.invalid', displayName: 'Test', passwordHash: 'x' });
  assert.deepEqual(await confirmAward(db, { tenantId: tenant.id, staffId }), { ok: false, code: 'NOT_FOUND' });
  await link(tenant.id, 0, 50);
  await evaluateDigitalesAmt(db, { tenantId: tenant.id });
  assert.equal((await confirmAward(db, { tenantId: tenant.id, staffId })).ok, true);
  const again = await confirmAward(db, { tenantId: tenant.id, staffId });
  assert.equal(again.ok, false);
  assert.equal(!again.ok && again.code, 'ALREADY_CONFIRMED');
  const events = await db.selectFrom('audit_events').selectAll().where('tenant_id', '=', tenant.id).where('action', '=', 'digitales_amt.confirmed').execute();
  assert.equal(events.length, 1);
  assert.equal(events[0]!.actor_id, staffId);
  assert.deepEqual(events[0]!.details, { procedureCount: 50 });
});
