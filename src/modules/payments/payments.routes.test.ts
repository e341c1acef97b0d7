/**
 * The staff pages under /verwaltung/zahlungen: who may see them, filter, search, pages, CSV export
 * checked against the payments made, tenant isolation, and recording refunds.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { logInStaff } from '../../../test/support/staff.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import type { PaymentStatus } from '../../platform/db/schema.ts';
import { bookStatus } from './confirm-payment.ts';
import { nextKassenzeichen } from './payment-reference.ts';
import { findPaymentForSystem, insertPayment, recordCreated, setProviderTransaction, type Payment } from './payments.repository.ts';

let app: TestApp;
let coburg: string;
let lkCoburg: string;
before(async () => {
  app = await createTestApp();
  const id = async (slug: string) => (await app.database.db.selectFrom('tenants').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
  coburg = await id('coburg');
  lkCoburg = await id('landkreis-coburg');
});
after(async () => { await app.dispose(); });

const CASEWORKER_COBURG = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const ADMIN_LK_COBURG = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const EDITOR_MUENCHEN = 'redaktion@muenchen.demo.digitales-amt.de';

async function logIn(email: string): Promise<TestClient> {
  const { client, res } = await logInStaff(app, email);
  assert.equal(res.statusCode, 303);
  return client;
}

/** A payment in the given status, as the flows would leave it (history and all). */
async function makePayment(tenantId: string, status: PaymentStatus, amountCents = 1300, provider: 'pmpayment' | 'epaybl' = 'pmpayment'): Promise<Payment> {
  const db = app.database.db;
  const created = await db.transaction().execute(async (tx) => {
    const p = (await insertPayment(tx, {
      tenantId, payableKind: 'application', payableId: randomUUID(), amountCents, kassenzeichen: await nextKassenzeichen(tx),
      purpose: 'FUEHRUNGSZEUGNIS', provider, returnPath: '/konto',
    }))!;
    await recordCreated(tx, p);
    return p;
  });
  await setProviderTransaction(db, created.id, `${provider === 'pmpayment' ? 'PM' : 'EP'}${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`, 'http://example.invalid/pay');
  if (status !== 'open') {
    const settled = status === 'refunded' || status === 'partially_refunded' ? 'paid' : status;
    await bookStatus(db, (await findPaymentForSystem(db, created.id))!, settled, ['open'], 'notification');
  }
  return (await findPaymentForSystem(db, created.id))!;
}

test('only caseworkers and administrators of a tenant see its payments', async () => {
  const anonymous = new TestClient(app.server);
  const res = await anonymous.get('/verwaltung/zahlungen');
  assert.equal(res.statusCode, 303);
  assert.match(res.headers.location as string, /^\/verwaltung\/anmelden\?weiter=/);
  const editor = await logIn(EDITOR_MUENCHEN);
  assert.equal((await editor.get('/verwaltung/zahlungen')).statusCode, 404);
  assert.equal((await editor.get('/verwaltung/zahlungen/export.csv')).statusCode, 404);
});

test('list, filter, search, pages and tenant isolation', async () => {
  const paid = await makePayment(coburg, 'paid', 1300, 'epaybl');
  const open = await makePayment(coburg, 'open');
  const others = await makePayment(lkCoburg, 'paid');
  for (let i = 0; i < 26; i++) await makePayment(coburg, 'failed', 100 + i);
  const staff = await logIn(CASEWORKER_COBURG);

  const all = html(await staff.get('/verwaltung/zahlungen'));
  assert.match(all.querySelector('[role="status"]')!.text, /28 Zahlungen gefunden/);
  assert.equal(all.querySelectorAll('tbody tr').length, 25);
  const next = all.querySelector('a[rel="next"]')!.getAttribute('href')!;
  const page2 = html(await staff.get(next));
  assert.equal(page2.querySelectorAll('tbody tr').length, 3);
  assert.ok(!all.text.includes(others.kassenzeichen) && !page2.text.includes(others.kassenzeichen));

  const paidOnly = html(await staff.get('/verwaltung/zahlungen?status=paid'));
  const rows = paidOnly.querySelectorAll('tbody tr').map((r) => r.querySelector('td')!.text.trim());
  assert.deepEqual(rows, [paid.kassenzeichen]);
  const byProvider = html(await staff.get('/verwaltung/zahlungen?anbieter=epaybl'));
  assert.deepEqual(byProvider.querySelectorAll('tbody tr a').map((a) => a.text), [paid.kassenzeichen]);
  const byReference = html(await staff.get(`/verwaltung/zahlungen?q=${open.kassenzeichen}`));
  assert.deepEqual(byReference.querySelectorAll('tbody tr a').map((a) => a.text), [open.kassenzeichen]);
  const byTxid = html(await staff.get(`/verwaltung/zahlungen?q=${paid.providerTxid!.slice(0, 8)}`));
  assert.deepEqual(byTxid.querySelectorAll('tbody tr a').map((a) => a.text), [paid.kassenzeichen]);
  // Another tenant's reference is not found by search either.
  assert.match(html(await staff.get(`/verwaltung/zahlungen?q=${others.kassenzeichen}`)).querySelector('[role="status"]')!.text, /Keine Zahlung/);
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  assert.match(html(await staff.get(`/verwaltung/zahlungen?von=${tomorrow}`)).querySelector('[role="status"]')!.text, /Keine Zahlung/);
  const today = new Date().toISOString().slice(0, 10);
  const germanTomorrow = tomorrow.split('-').reverse().join('.');
  assert.match(html(await staff.get(`/verwaltung/zahlungen?von=01.01.2026&bis=${germanTomorrow}&status=open`)).querySelector('[role="status"]')!.text, /1 Zahlung gefunden/);

  const bad = await staff.get(`/verwaltung/zahlungen?von=31.02.2026&bis=2020-01-01&q=a b`);
  assert.equal(bad.statusCode, 400);
  const doc = html(bad);
  assert.deepEqual(doc.querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#q', '#von']);
  assert.equal(doc.querySelector('#von')!.getAttribute('value'), '31.02.2026');
  assert.equal(doc.querySelector('#von')!.getAttribute('aria-invalid'), 'true');
  assert.equal((await staff.get(`/verwaltung/zahlungen?von=${today}&bis=2020-01-01`)).statusCode, 400);

  // Another tenant's payment is "not found", also for a refund.
  assert.equal((await staff.get(`/verwaltung/zahlungen/${others.id}`)).statusCode, 404);
  const admin = await logIn(ADMIN_LK_COBURG);
  assert.equal((await admin.get(`/verwaltung/zahlungen/${paid.id}`)).statusCode, 404);
  assert.equal((await admin.get(`/verwaltung/zahlungen/${others.id}`)).statusCode, 200);
  const page = `/verwaltung/zahlungen/${others.id}`;
  assert.equal((await admin.submit(page, { amount: '1,00', reason: 'Test' }, `/verwaltung/zahlungen/${others.id}/erstattung`)).statusCode, 303);
  const forged = await admin.submit(page, { tenantId: coburg, amount: '1,00', reason: 'Test' }, `/verwaltung/zahlungen/${others.id}/erstattung`);
  assert.equal(forged.statusCode, 404);
  const viaOther = await admin.post(`/verwaltung/zahlungen/${paid.id}/erstattung`, { tenantId: lkCoburg, amount: '1,00', reason: 'x', _csrf: 'none' });
  assert.equal(viaOther.statusCode, 403); // no valid CSRF token
});

test('the CSV export for the cash office matches the payments made', async () => {
  const staff = await logIn(CASEWORKER_COBURG);
  const a = await makePayment(coburg, 'paid', 123456);
  const res = await staff.get('/verwaltung/zahlungen/export.csv');
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/);
  assert.match(res.headers['content-disposition'] as string, /attachment; filename="zahlungen-\d{4}-\d{2}-\d{2}\.csv"/);
  assert.ok(res.body.startsWith('\uFEFFKassenzeichen;Angelegt;Bezahlt am;Betrag;Erstattet;Währung;Status;'));
  const lines = res.body.slice(1).trimEnd().split('\r\n').slice(1).map((l) => l.split(';'));
  const expected = await app.database.db.selectFrom('payments').select(['kassenzeichen', 'amount_cents', 'status', 'provider_txid']).where('tenant_id', '=', coburg).orderBy('created_at').orderBy('id').execute();
  assert.equal(lines.length, expected.length);
  const statusDe: Record<string, string> = { open: 'Offen', paid: 'Bezahlt', failed: 'Fehlgeschlagen', partially_refunded: 'Teilweise erstattet', refunded: 'Erstattet' };
  assert.deepEqual(lines.map((l) => [l[0], l[3], l[6], l[9]]), expected.map((e) => [
    e.kassenzeichen, `${Math.floor(e.amount_cents / 100)},${String(e.amount_cents % 100).padStart(2, '0')}`, statusDe[e.status], e.provider_txid,
  ]));
  const row = lines.find((l) => l[0] === a.kassenzeichen)!;
  assert.equal(row[3], '1234,56');
  assert.match(row[2]!, /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/);
  const lkRefs = await app.database.db.selectFrom('payments').select('kassenzeichen').where('tenant_id', '=', lkCoburg).execute();
  for (const r of lkRefs) assert.ok(!res.body.includes(r.kassenzeichen));
  // The export follows the filter.
  const filtered = await staff.get('/verwaltung/zahlungen/export.csv?status=open');
  assert.ok(filtered.body.slice(1).trimEnd().split('\r\n').slice(1).every((l) => l.split(';')[6] === 'Offen'));
});

test('refunds: at most what is left, a reason, status, history, audit and outcome job', async () => {
  const staff = await logIn(CASEWORKER_COBURG);
  const p = await makePayment(coburg, 'paid', 1300);
  const page = `/verwaltung/zahlungen/${p.id}`;
  const action = `${page}/erstattung`;

  const invalid = await staff.submit(page, { amount: 'abc', reason: '' }, action);
  assert.equal(invalid.statusCode, 400);
  const doc = html(invalid);
  assert.deepEqual(doc.querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#amount', '#reason']);
  assert.equal(doc.querySelector('#amount')!.getAttribute('value'), 'abc');

  const first = await staff.submit(page, { amount: '5,00', reason: 'Antrag teilweise zurückgenommen von Erika Mustermann' }, action);
  assert.equal(first.statusCode, 303);
  assert.equal(first.headers.location, `${page}?hinweis=erstattet`);
  let stored = (await findPaymentForSystem(app.database.db, p.id))!;
  assert.deepEqual([stored.status, stored.refundedCents], ['partially_refunded', 500]);
  const shown = html(await staff.get(first.headers.location as string));
  assert.match(shown.querySelector('[role="status"]')!.text, /Erstattung ist erfasst/);
  assert.match(shown.text, /Erika Mustermann/);

  const tooHigh = await staff.submit(page, { amount: '8,01', reason: 'Rest' }, action);
  assert.equal(tooHigh.statusCode, 400);
  assert.match(html(tooHigh).querySelector('.error-summary')!.text, /höher als der noch nicht erstattete Teil/);
  assert.equal((await staff.submit(page, { amount: '8,00', reason: 'Rest' }, action)).statusCode, 303);
  stored = (await findPaymentForSystem(app.database.db, p.id))!;
  assert.deepEqual([stored.status, stored.refundedCents], ['refunded', 1300]);
  // Fully refunded: no form any more, and a forged post is refused.
  const done = await staff.get(page);
  assert.equal(html(done).querySelector(`form[action="${action}"]`), null);

  const refunds = await app.database.db.selectFrom('payment_refunds').select(['amount_cents', 'reason_enc']).where('payment_id', '=', p.id).orderBy('created_at').execute();
  assert.deepEqual(refunds.map((r) => r.amount_cents), [500, 800]);
  assert.ok(refunds.every((r) => !r.reason_enc.includes('Mustermann')));
  const audit = await app.database.db.selectFrom('audit_events').select(['action', 'details', 'actor_type']).where('subject_id', '=', p.id).where('action', '=', 'payment.refund_recorded').execute();
  assert.equal(audit.length, 2);
  assert.ok(audit.every((a) => a.actor_type === 'staff' && !JSON.stringify(a.details).includes('Mustermann')));
  const jobs = await app.database.db.selectFrom('jobs').select('payload').where('type', '=', 'payments.outcome@1').execute();
  const statuses = jobs.map((j) => (typeof j.payload === 'string' ? JSON.parse(j.payload) : j.payload) as { paymentId: string; status: string })
    .filter((j) => j.paymentId === p.id).map((j) => j.status);
  assert.deepEqual(statuses.sort(), ['paid', 'partially_refunded', 'refunded']);

  const openOne = await makePayment(coburg, 'open');
  const openPage = `/verwaltung/zahlungen/${openOne.id}`;
  assert.equal(html(await staff.get(openPage)).querySelector(`form[action="${openPage}/erstattung"]`), null);
  // A refund of an unpaid payment, posted with a valid token from another form of the page, is refused.
  const token = html(await staff.get(page)).querySelector('input[name="_csrf"]')?.getAttribute('value') ?? html(await staff.get('/verwaltung')).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const notPaid = await staff.post(`${openPage}/erstattung`, { tenantId: coburg, amount: '1,00', reason: 'x', _csrf: token });
  assert.equal(notPaid.statusCode, 400);
  assert.match(html(notPaid).querySelector('.error-summary')!.text, /Nur bezahlte Zahlungen/);
  assert.equal((await findPaymentForSystem(app.database.db, openOne.id))!.refundedCents, 0);
});
