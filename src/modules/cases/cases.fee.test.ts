import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { submitDogTax } from '../../../test/support/dog-tax.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';
import { logInStaff } from '../../../test/support/staff.ts';

// The payment simulator calls the portal back over HTTP, so the portal listens on a real port.
let app: TestApp;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => app.dispose());

test('a fee set in the decision is paid online against the fee notice and shows on the case', async () => {
  const applicant = new TestClient(app.server);
  await logInCitizen(applicant, { person: 'U06', level: 'substantiell' });
  const { id } = await submitDogTax(app, applicant, 'Kira');
  const staff = (await logInStaff(app, 'sachbearbeitung@coburg.demo.digitales-amt.de')).client;
  const page = `/verwaltung/vorgaenge/${id}`;
  assert.equal((await staff.submit(page, { to: 'in_progress' }, `${page}/status`)).statusCode, 303);

  // Before the decision there is nothing to pay.
  assert.match(html(await applicant.get(`/antraege/${id}/gebuehr`)).querySelector('main')!.text, /keine Gebühr/);
  const body = html(await staff.get(`${page}/bescheid?ergebnis=granted`)).querySelector('textarea[name="body"]')!.text;
  const issued = await staff.submit(`${page}/bescheid?ergebnis=granted`, { outcome: 'granted', title: 'Bescheid', body, fee: '25,00', action: 'issue' }, `${page}/bescheid`);
  assert.equal(issued.statusCode, 303, html(issued).querySelector('.error-summary')?.text);

  // The decision message names the fee and where to pay it.
  const thread = html(await applicant.get('/postfach')).querySelectorAll('a').map((a) => a.getAttribute('href') ?? '').find((h) => /^\/postfach\/[0-9a-f-]{36}$/.test(h))!;
  assert.match(html(await applicant.get(thread)).querySelector('main')!.text, new RegExp(`25,00\\s€.*/antraege/${id}/gebuehr`, 's'));

  const feePage = html(await applicant.get(`/antraege/${id}/gebuehr`));
  assert.match(feePage.querySelector('main')!.text, /25,00\s€/);
  const start = await applicant.submit(`/antraege/${id}/gebuehr`, {}, `/antraege/${id}/gebuehr`);
  assert.equal(start.statusCode, 303);
  const target = new URL(start.headers.location as string);
  assert.match(target.pathname, /\/demo-zahlung\//);
  const answer = await applicant.submit(target.pathname + target.search, { choice: 'pay' }, target.pathname);
  const returnUrl = new URL(answer.headers.location as string, target);
  const back = await applicant.get(returnUrl.pathname + returnUrl.search);
  assert.equal(back.statusCode, 303);
  assert.match(back.headers.location as string, new RegExp(`^/antraege/${id}/gebuehr\\?zahlung=paid`));
  await app.worker.drain();
  assert.match(html(await applicant.get(back.headers.location as string)).querySelector('main')!.text, /Gebühr ist bezahlt/);
  const again = await applicant.submit(`/antraege/${id}/gebuehr`, {}, `/antraege/${id}/gebuehr`).catch(() => null);
  assert.equal(again, null, 'no pay button once paid');

  const payment = await app.database.db.selectFrom('payments').select(['id', 'kassenzeichen', 'status', 'amount_cents']).where('payable_id', '=', id).where('payable_kind', '=', 'case-fee').executeTakeFirstOrThrow();
  assert.deepEqual([payment.status, payment.amount_cents], ['paid', 2500]);
  const casePage = html(await staff.get(page)).querySelector('main')!.text;
  assert.match(casePage, new RegExp(payment.kassenzeichen));
  assert.match(casePage, /Gebühr bezahlt/);
  const decision = await app.database.db.selectFrom('decisions').select('payment_id').where('case_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(decision.payment_id, payment.id);
});
