import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';

// The payment simulator calls the portal back over HTTP, so the portal listens on a real port.
let app: TestApp;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  await app.server.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => app.dispose());

const COBURG = '09463000';

async function fillCertificate(client: TestClient, id: string): Promise<void> {
  const base = `/antraege/${id}/schritte`;
  const steps: [string, Record<string, string>, string][] = [
    ['person', { 'f.geburtsort': 'Regensburg', 'f.staatsangehoerigkeit': 'DE' }, `${base}/zeugnis`],
    ['zeugnis', { 'f.art': 'normal', 'f.verwendungszweck': 'Vorlage beim Arbeitgeber', 'f.ehrenamt': 'no', 'f.anzahl': '2' }, `${base}/versand`],
    ['versand', { 'f.empfang': 'privat' }, `${base}/erklaerung`],
    ['erklaerung', { 'f.bestaetigung': 'yes' }, `/antraege/${id}/pruefen`],
  ];
  for (const [step, fields, next] of steps) {
    const page = html(await client.get(`${base}/${step}`));
    // Keep what the page shows (the prefilled identity data), add this step's answers.
    const shown: Record<string, string> = {};
    for (const input of page.querySelectorAll('form input[name^="f."]')) {
      const type = input.getAttribute('type');
      if (type !== 'radio' && type !== 'checkbox' && input.getAttribute('value')) shown[input.getAttribute('name')!] = input.getAttribute('value')!;
    }
    const res = await client.submit(`${base}/${step}`, { ...shown, ...fields }, `${base}/${step}`);
    assert.equal(res.statusCode, 303, `${step}: ${html(res).querySelector('.error-summary')?.text ?? ''}`);
    assert.equal(res.headers.location, next);
  }
}

/** The payer at the simulator: opens its page (absolute URL of this app) and chooses. */
async function payAtSimulator(client: TestClient, redirectUrl: string, choice: 'pay' | 'cancel'): Promise<string> {
  const target = new URL(redirectUrl);
  const path = target.pathname + target.search;
  const page = await client.get(path);
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Testdienst/);
  const answer = await client.submit(path, { choice }, target.pathname);
  assert.equal(answer.statusCode, 303, answer.body.slice(0, 200));
  // The payment platform's return endpoint confirms the status and sends the payer on.
  const returnUrl = new URL(answer.headers.location as string, redirectUrl);
  const back = await client.get(returnUrl.pathname + returnUrl.search);
  assert.equal(back.statusCode, 303, back.body.slice(0, 300));
  return back.headers.location as string;
}

test('a Führungszeugnis is paid before submission: the fee is shown, a cancelled payment keeps the draft, a paid one submits it once', async () => {
  const client = new TestClient(app.server);
  await logInCitizen(client, { person: 'U01', level: 'hoch' });
  const procedure = await app.database.db.selectFrom('online_procedures as p').innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .select('p.id').where('t.slug', '=', 'coburg').where('p.name', '=', 'Führungszeugnis beantragen').executeTakeFirstOrThrow();
  const started = await client.submit(`/antraege/neu/${procedure.id}?ags=${COBURG}`, { prefill: 'ja' }, `/antraege/neu/${procedure.id}`);
  const id = (started.headers.location as string).split('/')[2]!;
  await fillCertificate(client, id);

  const check = html(await client.get(`/antraege/${id}/pruefen`));
  assert.match(check.querySelector('main')!.text, /26,00\s€/);
  assert.equal(check.querySelector(`form[action="/antraege/${id}/absenden"]`), null, 'no submit before the fee is paid');
  const forced = await client.submit(`/antraege/${id}/pruefen`, {}, `/antraege/${id}/bezahlen`);
  assert.equal(forced.statusCode, 303);
  const paymentPage = forced.headers.location as string;
  assert.match(paymentPage, /\/demo-zahlung\//);

  // Submitting without paying is refused.
  const token = check.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  assert.equal((await client.post(`/antraege/${id}/absenden`, { _csrf: token })).statusCode, 409);

  const cancelled = await payAtSimulator(client, paymentPage, 'cancel');
  assert.match(cancelled, new RegExp(`^/antraege/${id}/zahlung`));
  const notPaid = html(await client.get(cancelled));
  assert.match(notPaid.querySelector('main')!.text, /nicht abgeschlossen/);
  assert.equal((await app.database.db.selectFrom('applications').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'draft');

  const again = await client.submit(`/antraege/${id}/pruefen`, {}, `/antraege/${id}/bezahlen`);
  const paid = await payAtSimulator(client, again.headers.location as string, 'pay');
  const done = await client.get(paid);
  assert.equal(done.statusCode, 303);
  assert.equal(done.headers.location, `/antraege/${id}?eingegangen=1`);
  await app.worker.drain(); // the outcome job and the late notification find it submitted
  const row = await app.database.db.selectFrom('applications').select(['status', 'reference']).where('id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.status, 'submitted');
  const events = await app.database.db.selectFrom('application_events').select('status').where('application_id', '=', id).execute();
  assert.equal(events.length, 1);
  const payments = await app.database.db.selectFrom('payments').select(['status', 'amount_cents']).where('payable_id', '=', id).execute();
  assert.deepEqual(payments.map((p) => [p.status, p.amount_cents]).sort(), [['cancelled', 2600], ['paid', 2600]]);
});
