import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { createSealKeyStore } from '../../platform/pdf/seal-keys.ts';
import { renderPdf } from '../../platform/pdf/render-pdf.ts';
import { sealPdf } from '../../platform/pdf/seal-pdf.ts';

let app: TestApp;
let sealed: Uint8Array;
let plain: Uint8Array;
let tenantName: string;

before(async () => {
  app = await createTestApp();
  const tenant = await app.database.db.selectFrom('tenants').select(['id', 'name']).orderBy('slug').executeTakeFirstOrThrow();
  tenantName = tenant.name;
  const store = createSealKeyStore({ db: app.database.db, cipher: app.cipher, config: app.config.seal });
  plain = await renderPdf({ title: 'Bescheid', author: tenant.name, blocks: [{ kind: 'paragraph', text: 'Gebühr: 12,50 €' }] });
  sealed = await sealPdf(plain, await store.tenantKey(tenant.id), { reason: 'Bescheid', location: 'Bayern', name: tenant.name });
});
after(async () => { await app.dispose(); });

/** Loads the page (for the session and token) and posts the file as multipart with the token. */
async function check(client: TestClient, bytes: Uint8Array, fileName = 'bescheid.pdf', url = '/pruefen') {
  const page = await client.get(url);
  const token = html(page).querySelector('form[action="/pruefen"] input[name="_csrf"]')?.getAttribute('value');
  assert.ok(token, 'the form carries a CSRF token');
  return client.postMultipart('/pruefen', { _csrf: token }, [{ field: 'document', fileName, type: 'application/pdf', bytes }]);
}

test('the verification page is public and has an accessible multipart form', async () => {
  const res = await app.server.inject('/pruefen');
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  assert.equal(doc.querySelector('h1')?.text, 'Siegel eines Dokuments prüfen');
  const form = doc.querySelector('form[action="/pruefen"]');
  assert.equal(form?.getAttribute('enctype'), 'multipart/form-data');
  const input = doc.querySelector('input#document[type="file"]');
  assert.ok(input);
  assert.equal(doc.querySelector('label[for="document"]')?.text, 'PDF-Dokument');
  assert.equal(input.getAttribute('aria-describedby'), 'document-hint');
});

test('a multipart post without the CSRF token is refused; with it, a sealed document is shown as valid', async () => {
  const client = new TestClient(app.server);
  await client.get('/pruefen');
  const refused = await client.postMultipart('/pruefen', {}, [{ field: 'document', fileName: 'bescheid.pdf', bytes: sealed }]);
  assert.equal(refused.statusCode, 403);
  const forged = await client.postMultipart('/pruefen', { _csrf: 'forged' }, [{ field: 'document', fileName: 'bescheid.pdf', bytes: sealed }]);
  assert.equal(forged.statusCode, 403);

  const res = await check(client, sealed, 'Bescheid-Müller.pdf');
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  const result = doc.querySelector('section[aria-labelledby="result-title"]');
  assert.ok(result, 'a result section');
  assert.match(result.text, /Das Siegel ist gültig/);
  assert.match(result.text, /Geprüfte Datei: Bescheid-Müller\.pdf/);
  assert.match(result.text, new RegExp(`${tenantName} \\(Siegel, Demo\\)`));
  assert.match(result.text, /Inhalt seit dem Siegeln unverändert: erfüllt/);
  assert.match(result.text, /Zertifikat einer vertrauenswürdigen Stelle: erfüllt/);
  assert.ok(result.querySelector('time[datetime]'));
});

test('a changed document, an unsealed one, and the English page', async () => {
  const client = new TestClient(app.server);
  const tampered = Buffer.from(sealed);
  const at = tampered.indexOf('Bescheid');
  tampered[at] = 'b'.charCodeAt(0);
  const broken = html(await check(client, tampered));
  assert.match(broken.querySelector('section')!.text, /Das Siegel ist ungültig/);
  assert.match(broken.querySelector('section')!.text, /Inhalt seit dem Siegeln unverändert: nicht erfüllt/);

  const unsealed = html(await check(client, plain));
  assert.match(unsealed.querySelector('section')!.text, /kein elektronisches Siegel/);

  const english = html(await check(client, sealed, 'decision.pdf', '/pruefen?lang=en'));
  assert.match(english.querySelector('section')!.text, /The seal is valid/);
});

test('a file that is not a PDF, a missing file and an oversized file re-render with 400 and an error summary', async () => {
  const client = new TestClient(app.server);
  const script = await check(client, new TextEncoder().encode('#!/bin/sh\nrm -rf /\n'), 'bescheid.pdf');
  assert.equal(script.statusCode, 400);
  const doc = html(script);
  assert.equal(doc.querySelector('.error-summary a[href="#document"]')?.text, 'Die Datei ist kein PDF-Dokument. Wählen Sie eine PDF-Datei aus.');
  assert.equal(doc.querySelector('#document')?.getAttribute('aria-invalid'), 'true');
  assert.equal(doc.querySelector('#document')?.getAttribute('aria-describedby'), 'document-hint document-error');

  const page = await client.get('/pruefen');
  const token = html(page).querySelector('input[name="_csrf"]')!.getAttribute('value')!;
  const missing = await client.postMultipart('/pruefen', { _csrf: token }, [{ field: 'document', fileName: '', bytes: new Uint8Array() }]);
  assert.equal(missing.statusCode, 400);
  assert.match(html(missing).querySelector('.error-summary')!.text, /Wählen Sie eine PDF-Datei aus/);

  const huge = Buffer.concat([Buffer.from(plain), Buffer.alloc(21 * 1024 * 1024, 0x20)]);
  const tooLarge = await check(client, huge);
  assert.equal(tooLarge.statusCode, 400);
  assert.match(html(tooLarge).querySelector('.error-summary')!.text, /zu groß/);
});

test('the page is rate-limited per client', async () => {
  const client = new TestClient(app.server);
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await check(client, plain)).statusCode);
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(200));
  assert.equal(statuses[10], 429);
});
