import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient, type UploadFile } from '../../../test/support/http.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { checkDefinition, importFimSchema } from './index.ts';

const PAGE = '/verwaltung/formulare/fim-import';
const S94 = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../reference-data/fim/xdf2-real/S00000094V1.0_xdf2');
const EDITOR_MUENCHEN = 'redaktion@muenchen.demo.digitales-amt.de';
const ADMIN_LK_COBURG = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const CASEWORKER_COBURG = 'sachbearbeitung@coburg.demo.digitales-amt.de';

let app: TestApp;
before(async () => { app = await createTestApp(); });
after(async () => { await app.dispose(); });

async function logIn(email: string): Promise<TestClient> {
  const { client, res } = await logInStaff(app, email);
  assert.equal(res.statusCode, 303, `login of ${email}`);
  return client;
}

const s94Files = (): UploadFile[] => readdirSync(S94).filter((n) => n.endsWith('.xml')).sort()
  .map((name) => ({ field: 'files', name, content: readFileSync(path.join(S94, name)) }));
const text = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

test('an editor uploads a real schema with its code lists and sees the report, the preview and the download', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const page = html(await editor.get(PAGE));
  assert.equal(text(page.querySelector('h1')?.text), 'Formular aus FIM importieren');
  const input = page.querySelector('form[enctype="multipart/form-data"] input[type="file"]');
  assert.equal(input?.getAttribute('name'), 'files');
  assert.equal(page.querySelector('label[for="files"]') !== null, true);

  const res = await editor.submitMultipart(PAGE, s94Files());
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  assert.match(text(doc.querySelector('[role="status"]')?.text), /Benachrichtigung über die Beschäftigung einer schwangeren oder stillenden Frau/);
  // Summary, untranslated rules with id, name and text, and the structure.
  const summary = Object.fromEntries(doc.querySelectorAll('.fim-summary dt').map((dt, i) => [text(dt.text), text(doc.querySelectorAll('.fim-summary dd')[i]?.text)]));
  assert.equal(summary.Schritte, '4');
  assert.equal(summary.Felder, '44');
  assert.equal(summary.Codelisten, '4');
  assert.equal(summary.Regeln, '13 (davon übersetzt: 0; davon nicht übersetzt: 13)');
  const rules = doc.querySelectorAll('.fim-rules > li');
  assert.equal(rules.length, 13);
  const first = text(rules[0]?.text);
  assert.match(first, /Beschäftigungsverhältnis Frau Sonstiges R00000849 V1\.0/);
  assert.match(first, /Wenn im Datenfeld F00000463 der Wert 009 angegeben wurde/);
  assert.match(first, /Vorschlag \(nicht übernommen, bitte prüfen\) für das Feld F00000601: Pflicht, wenn: F00000463 = "009"/);
  const preview = text(doc.querySelector('.fim-result')?.text);
  assert.match(preview, /Schritt 1: Informationen zum Arbeitgeber \/ zur Arbeitgeberin/);
  assert.match(preview, /Postleitzahl F60000246 — Text · Pflicht, wenn: filled\(F60000243\)/);
  assert.match(preview, /Wo befindet sich die Anschrift\? F60000263 — Auswahl · Pflicht · Auswahl aus „Anschrift Inland oder Ausland“ \(2 Einträge\)/);
  // The download is the definition the importer makes, as JSON.
  const link = doc.querySelectorAll('a[download]').find((a) => a.getAttribute('download')?.endsWith('.definition.json'));
  assert.equal(link?.getAttribute('download'), 'S00000094-V1.0.definition.json');
  const href = link?.getAttribute('href') ?? '';
  assert.ok(href.startsWith('data:application/json;charset=utf-8;base64,'));
  const downloaded = JSON.parse(Buffer.from(href.split(',')[1]!, 'base64').toString('utf8'));
  assert.deepEqual(checkDefinition(downloaded), []);
  const direct = importFimSchema(s94Files().map((f) => ({ name: f.name, bytes: f.content as Uint8Array })));
  assert.deepEqual(downloaded, JSON.parse(JSON.stringify(direct.definition)));
});

test('a tenant administrator may import too, in English', async () => {
  const admin = await logIn(ADMIN_LK_COBURG);
  await admin.get('/verwaltung?lang=en');
  const res = await admin.submitMultipart(PAGE, [{ field: 'files', name: 'simple.xml', content: readFileSync(path.join(S94, '../../xdf-synthetic/v3/simple.xml')) }]);
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  assert.equal(text(doc.querySelector('h1')?.text), 'Import a form from FIM');
  assert.match(text(doc.querySelector('.fim-rules')?.text), /too complex to translate automatically/);
});

test('unusable files re-render the page with 400 and the errors, with line and column', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const res = await editor.submitMultipart(PAGE, [
    { field: 'files', name: 'kaputt.xml', content: '<?xml version="1.0"?>\n<a>\n  <b>\n</a>' },
    { field: 'files', name: 'bomb.xml', content: '<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>' },
  ]);
  assert.equal(res.statusCode, 400);
  const errors = html(res).querySelectorAll('.fim-errors li').map((li) => text(li.text));
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /^kaputt\.xml \(Zeile 3, Spalte \d+\): Die Datei ist kein wohlgeformtes XML\./);
  assert.match(errors[1]!, /^bomb\.xml \(Zeile 1, Spalte 1\): Die Datei enthält eine Dokumenttyp-Deklaration/);
  assert.equal(html(res).querySelectorAll('a[download]').length, 0, 'no download without a definition');
});

test('no file chosen: 400 with an error summary linking to the file input', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const res = await editor.submitMultipart(PAGE, [{ field: 'files', name: '', content: '' }]);
  assert.equal(res.statusCode, 400);
  const doc = html(res);
  assert.deepEqual(doc.querySelectorAll('.error-summary a').map((a) => [a.getAttribute('href'), text(a.text)]), [['#files', 'Wählen Sie mindestens eine Datei aus']]);
  assert.equal(doc.querySelector('#files')?.getAttribute('aria-invalid'), 'true');
});

test('a file above the size limit is refused with 413 and the limits named', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  const res = await editor.submitMultipart(PAGE, [{ field: 'files', name: 'gross.xml', content: Buffer.alloc(5 * 1024 * 1024 + 1, 0x20) }]);
  assert.equal(res.statusCode, 413);
  assert.match(text(html(res).querySelector('.error-summary')?.text), /je Datei höchstens 5 MB/);
  // More files than allowed: refused as a whole.
  const many = Array.from({ length: 21 }, (_, i) => ({ field: 'files', name: `f${i}.xml`, content: '<a/>' }));
  assert.equal((await editor.submitMultipart(PAGE, many)).statusCode, 413);
});

test('the upload needs the CSRF token from the multipart fields', async () => {
  const editor = await logIn(EDITOR_MUENCHEN);
  await editor.get(PAGE);
  const files = [{ field: 'files', name: 'simple.xml', content: '<a/>' }];
  assert.equal((await editor.postMultipart(PAGE, {}, files)).statusCode, 403);
  assert.equal((await editor.postMultipart(PAGE, { _csrf: 'forged' }, files)).statusCode, 403);
});

test('visitors are sent to the login; staff without an editor role get not found', async () => {
  const anonymous = new TestClient(app.server);
  const res = await anonymous.get(PAGE);
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `/verwaltung/anmelden?weiter=${encodeURIComponent(PAGE)}`);
  assert.equal((await anonymous.postMultipart(PAGE, {}, [{ field: 'files', name: 'a.xml', content: '<a/>' }])).statusCode, 403);
  const caseworker = await logIn(CASEWORKER_COBURG);
  assert.equal((await caseworker.get(PAGE)).statusCode, 404);
  // Even with a valid token from another page, the import itself is not found for them.
  const home = html(await caseworker.get('/verwaltung'));
  const token = home.querySelector('input[name="_csrf"]')?.getAttribute('value') ?? '';
  assert.ok(token);
  assert.equal((await caseworker.postMultipart(PAGE, { _csrf: token }, [{ field: 'files', name: 'a.xml', content: '<a/>' }])).statusCode, 404);
  assert.equal(home.querySelectorAll(`a[href="${PAGE}"]`).length, 0, 'no link on the caseworker\'s home');
  const editorHome = html(await (await logIn(EDITOR_MUENCHEN)).get('/verwaltung'));
  assert.equal(editorHome.querySelectorAll(`a[href="${PAGE}"]`).length, 1);
});
