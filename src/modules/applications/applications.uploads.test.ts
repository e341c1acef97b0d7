import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { renderPdf } from '../../platform/pdf/index.ts';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInCitizen } from '../../../test/support/saml-citizen-login.ts';

let app: TestApp;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
});
after(async () => app.dispose());

/** A started dog-tax application at the step with the evidence upload (reduction of the tax). */
async function atEvidenceStep(client: TestClient): Promise<string> {
  await logInCitizen(client, { person: 'U02', level: 'substantiell' });
  const procedure = await app.database.db.selectFrom('online_procedures as p').innerJoin('tenants as t', 't.id', 'p.tenant_id')
    .select('p.id').where('t.slug', '=', 'coburg').where('p.name', '=', 'Hund zur Hundesteuer anmelden').executeTakeFirstOrThrow();
  const started = await client.submit(`/antraege/neu/${procedure.id}?ags=09463000`, { prefill: 'ja' }, `/antraege/neu/${procedure.id}`);
  const id = (started.headers.location as string).split('/')[2]!;
  const base = `/antraege/${id}/schritte`;
  const holder = await client.submit(`${base}/halter`, { 'f.familienname': 'Schmidt', 'f.vornamen': 'Manfred', 'f.geburtsdatum': '11.02.1969', 'f.anschrift.street': 'Rankestr.', 'f.anschrift.houseNumber': '13', 'f.anschrift.postcode': '96450', 'f.anschrift.city': 'Coburg', 'f.anschrift.country': 'DE' }, `${base}/halter`);
  assert.equal(holder.statusCode, 303);
  const dog = await client.submit(`${base}/hundeangaben`, { 'f.hunde.count': '1', 'f.hunde.0.hund_name': 'Bello', 'f.hunde.0.rasse': 'Dackel', 'f.hunde.0.hund_geschlecht': 'ruede', 'f.hunde.0.wurfdatum': '01.03.2024', 'f.hunde.0.gehalten_seit': '01.06.2024', 'f.hunde.0.listenhund': 'no' }, `${base}/hundeangaben`);
  assert.equal(dog.statusCode, 303);
  return id;
}

async function postEvidence(client: TestClient, id: string, file: { fileName: string; type: string; bytes: Uint8Array }) {
  const page = html(await client.get(`/antraege/${id}/schritte/ermaessigung`));
  const form = page.querySelector(`form[action="/antraege/${id}/schritte/ermaessigung"]`)!;
  assert.equal(form.getAttribute('enctype'), 'multipart/form-data');
  const token = form.querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  return client.postMultipart(`/antraege/${id}/schritte/ermaessigung`, {
    _csrf: token, _action: 'continue', 'f.ermaessigung_beantragt': 'yes', 'f.ermaessigungsgrund': 'blinde',
  }, [{ field: 'f.ermaessigung_nachweis', ...file }]);
}

test('evidence is checked by content, refused with a field error that keeps the answers, stored encrypted and downloaded as an attachment', async () => {
  const client = new TestClient(app.server);
  const id = await atEvidenceStep(client);

  // A script renamed to .pdf, declared as a PDF, is refused by its content.
  const script = await postEvidence(client, id, { fileName: 'nachweis.pdf', type: 'application/pdf', bytes: Buffer.from('#!/bin/sh\nrm -rf /\n') });
  assert.equal(script.statusCode, 400);
  const refused = html(script);
  assert.match(refused.querySelector('.error-summary')!.text, /PDF oder ein Bild/);
  assert.equal(refused.querySelector('.error-summary a')!.getAttribute('href'), '#f.ermaessigung_nachweis');
  assert.ok(refused.querySelector('input[name="f.ermaessigung_beantragt"][value="yes"][checked]'), 'the answers are kept');

  // A zip (a bomb or not) is no accepted evidence either, and an oversized PDF is refused as too large.
  const zip = await postEvidence(client, id, { fileName: 'scan.pdf', type: 'application/pdf', bytes: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(2000)]) });
  assert.equal(zip.statusCode, 400);
  const pdf = await renderPdf({ title: 'Schwerbehindertenausweis', author: 'Test', blocks: [{ kind: 'paragraph', text: 'Nachweis Merkzeichen Bl' }] });
  const big = await postEvidence(client, id, { fileName: 'gross.pdf', type: 'application/pdf', bytes: Buffer.concat([Buffer.from(pdf), Buffer.alloc(11 * 1024 * 1024)]) });
  assert.equal(big.statusCode, 400);
  assert.match(html(big).querySelector('.error-summary')!.text, /zu groß/);
  assert.equal(Number((await app.database.db.selectFrom('uploads').select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing refused is stored');

  const accepted = await postEvidence(client, id, { fileName: 'Ausweis Kopie.pdf', type: 'application/octet-stream', bytes: pdf });
  assert.equal(accepted.statusCode, 303, html(accepted).querySelector('.error-summary')?.text);
  const stored = await app.database.db.selectFrom('uploads').selectAll().execute();
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.media_type, 'application/pdf', 'the type found in the content, not the declared one');
  assert.ok(!Buffer.from(stored[0]!.content_enc).includes(Buffer.from('%PDF')), 'stored encrypted');

  // The step shows the file; the applicant downloads it as an attachment; others cannot.
  const again = html(await client.get(`/antraege/${id}/schritte/ermaessigung`));
  assert.match(again.querySelector('main')!.text, /Ausweis Kopie\.pdf/);
  const download = await client.get(`/antraege/${id}/dateien/${stored[0]!.id}`);
  assert.equal(download.statusCode, 200);
  assert.match(String(download.headers['content-disposition']), /^attachment/);
  assert.equal(download.headers['x-content-type-options'], 'nosniff');
  assert.deepEqual(Buffer.from(download.rawPayload), Buffer.from(pdf));
  const stranger = new TestClient(app.server);
  await logInCitizen(stranger, { person: 'U03', level: 'substantiell' });
  assert.equal((await stranger.get(`/antraege/${id}/dateien/${stored[0]!.id}`)).statusCode, 404);

  // Taking the file off deletes it.
  const removeButton = again.querySelector('button[value^="remove-file:"]')!.getAttribute('value')!;
  const token = again.querySelector(`form[action="/antraege/${id}/schritte/ermaessigung"] input[name="_csrf"]`)!.getAttribute('value')!;
  const removed = await client.postMultipart(`/antraege/${id}/schritte/ermaessigung`, { _csrf: token, _action: removeButton, 'f.ermaessigung_beantragt': 'yes', 'f.ermaessigungsgrund': 'blinde' });
  assert.equal(removed.statusCode, 200);
  assert.equal((await app.database.db.selectFrom('uploads').selectAll().execute()).length, 0);
});
