import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

const FORM = '/barrierefreiheit/feedback';

test('the accessibility statement names the standard, the known gaps, the feedback form and the enforcement body', async () => {
  const doc = html(await app.server.inject('/barrierefreiheit'));
  const text = doc.querySelector('main')!.text;
  assert.match(text, /BITV 2\.0/);
  assert.match(text, /WCAG\) 2\.1/);
  assert.match(text, /Gebärdensprache/);
  assert.match(text, /Durchsetzungs/);
  assert.ok(doc.querySelector('main a[href="/barrierefreiheit/feedback"]'));
});

test('an incomplete feedback re-renders with 400, an error summary linking to each field, and the values kept; nothing is stored', async () => {
  const client = new TestClient(app.server);
  const res = await client.submit(FORM, { message: 'kurz', name: 'Erika Mustermann', email: 'keine-adresse' });
  assert.equal(res.statusCode, 400);
  const doc = html(res);
  assert.match(doc.querySelector('title')!.text, /^Fehler:/);
  const links = doc.querySelectorAll('.error-summary a').map((a) => [a.getAttribute('href'), a.text]);
  assert.deepEqual(links, [
    ['#category', 'Wählen Sie aus, worum es geht'],
    ['#message', 'Die Nachricht muss mindestens 10 Zeichen lang sein'],
    ['#email', 'Geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein'],
  ]);
  for (const [, id] of [['', 'category'], ['', 'message'], ['', 'email']]) assert.ok(doc.querySelector(`#${id}`), `field #${id} exists for the link`);
  assert.equal(doc.querySelector('#message')!.text, 'kurz');
  assert.equal(doc.querySelector('#name')!.getAttribute('value'), 'Erika Mustermann');
  assert.equal(doc.querySelector('#email')!.getAttribute('value'), 'keine-adresse');
  assert.equal(doc.querySelector('#email')!.getAttribute('aria-invalid'), 'true');
  assert.match(doc.querySelector('#email')!.getAttribute('aria-describedby')!, /email-error/);
  assert.equal((await app.database.db.selectFrom('accessibility_feedback').select('id').execute()).length, 0);
});

test('the same errors appear in English', async () => {
  const client = new TestClient(app.server);
  await client.get('/?lang=en');
  const res = await client.submit(FORM, {});
  assert.deepEqual(html(res).querySelectorAll('.error-summary a').map((a) => a.text), ['Select what it is about', 'Enter your message']);
});

test('valid feedback is stored encrypted, acknowledged with a reference, and mails carry no content', async () => {
  const client = new TestClient(app.server);
  const res = await client.submit(FORM, {
    category: 'barrier', message: 'Die Suche ist mit dem Screenreader nicht bedienbar.', pageUrl: '/gemeinden', name: 'Erika Mustermann', email: 'erika@example.de',
  });
  assert.equal(res.statusCode, 303);
  const location = String(res.headers.location);
  const reference = new URL(location, 'http://x').searchParams.get('ref')!;
  assert.match(reference, /^BF-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  const thanks = html(await client.get(location));
  assert.equal(thanks.querySelector('.reference')!.text, reference);

  const row = await app.database.db.selectFrom('accessibility_feedback').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
  assert.doesNotMatch(JSON.stringify(row), /Screenreader|Erika|erika@example/, 'personal data is encrypted at rest');
  assert.equal(app.cipher.decrypt(row.message_enc), 'Die Suche ist mit dem Screenreader nicht bedienbar.');

  assert.equal(await app.worker.drain(), 2, 'a notice to the team and an acknowledgement to the sender');
  const mails = await app.database.db.selectFrom('outbound_mails').selectAll().execute();
  const texts = mails.map((m) => `${app.cipher.decrypt(m.subject_enc)}\n${app.cipher.decrypt(m.text_enc)}`);
  assert.equal(texts.length, 2);
  for (const text of texts) {
    assert.match(text, new RegExp(reference));
    assert.doesNotMatch(text, /Screenreader/, 'mail does not repeat the content');
  }
  assert.deepEqual(mails.map((m) => app.cipher.decrypt(m.recipient_enc)).sort(), ['barrierefreiheit@digitales-amt.invalid', 'erika@example.de']);
});
