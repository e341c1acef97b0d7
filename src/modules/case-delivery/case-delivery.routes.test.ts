import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { createTestApp, type TestApp } from '../../../test/support/app.ts';
import { html, TestClient } from '../../../test/support/http.ts';
import { logInStaff } from '../../../test/support/staff.ts';
import { createTenantKeys } from '../../platform/crypto/tenant-keys.ts';
import { insertDeliveries, insertTarget } from './case-delivery.repository.ts';
import { isDeliveryUrl, jwkProblem } from './case-delivery.schemas.ts';
import { createSubmittedCase, tenantIdOf } from './case-delivery.test-support.ts';

const ADMIN = 'verwaltung@landkreis-coburg.demo.digitales-amt.de';
const CASEWORKER = 'sachbearbeitung@coburg.demo.digitales-amt.de';
const PAGE = '/verwaltung/anbindungen';

let app: TestApp;
let admin: TestClient;
let strongJwk: Record<string, unknown>;
before(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  admin = (await logInStaff(app, ADMIN)).client;
  const pair = await generateKeyPair('RSA-OAEP-256', { modulusLength: 4096, extractable: true });
  strongJwk = { ...await exportJWK(pair.publicKey), kid: 'zustellpunkt-1' };
});
after(async () => { await app.dispose(); });

const lkCoburg = () => tenantIdOf(app.database.db, 'landkreis-coburg');

test('the page is for tenant administrators only', async () => {
  const res = await admin.get(PAGE);
  assert.equal(res.statusCode, 200);
  const doc = html(res);
  assert.equal(doc.querySelector('h1')?.text, 'Anbindung an Fachverfahren');
  assert.ok(doc.querySelector('form[action="/verwaltung/anbindungen/ziele"]'));
  assert.ok(doc.querySelector('form[action="/verwaltung/anbindungen/zugaenge"]'));
  const caseworker = (await logInStaff(app, CASEWORKER)).client;
  assert.equal((await caseworker.get(PAGE)).statusCode, 404, 'a caseworker has no such page');
  const anonymous = await new TestClient(app.server).get(PAGE);
  assert.equal(anonymous.statusCode, 303);
});

test('a bad target re-renders with 400, an error summary linking to each field and the values kept', async () => {
  const res = await admin.submit(PAGE, { kind: 'webhook', targetName: 'Bauamt-Software', url: 'http://fachverfahren.example.org/eingang', secret: 'zu-kurz' }, '/verwaltung/anbindungen/ziele');
  assert.equal(res.statusCode, 400);
  const doc = html(res);
  const links = doc.querySelectorAll('.error-summary a').map((a) => [a.getAttribute('href'), a.text]);
  assert.deepEqual(links, [
    ['#url', 'Geben Sie eine gültige https-Adresse ein (oder http an 127.0.0.1 oder localhost)'],
    ['#secret', 'Das Geheimnis muss 32 bis 500 Zeichen lang sein'],
  ]);
  assert.equal(doc.querySelector('#targetName')?.getAttribute('value'), 'Bauamt-Software');
  assert.equal(doc.querySelector('#url')?.getAttribute('aria-invalid'), 'true');
  assert.equal(doc.querySelector('#secret')?.getAttribute('value'), '', 'a secret is never echoed back');

  const fit = async (jwk: string, destinationId = 'b5e1a0a2-0f5e-4c3e-9a0b-6a8e3c2d1f00') => {
    const r = await admin.submit(PAGE, { kind: 'fit_connect', targetName: 'FIT', url: 'https://zustellung.example.org', destinationId, jwk }, '/verwaltung/anbindungen/ziele');
    assert.equal(r.statusCode, 400);
    return html(r).querySelectorAll('.error-summary a').map((a) => `${a.getAttribute('href')} ${a.text}`);
  };
  assert.deepEqual(await fit('{kein json', 'keine-uuid'), [
    '#destinationId Geben Sie die Zustellpunkt-ID als UUID ein',
    '#jwk Der Schlüssel ist kein öffentlicher RSA-Schlüssel im JWK-Format für RSA-OAEP-256',
  ]);
  const weak = await generateKeyPair('RSA-OAEP-256', { modulusLength: 2048, extractable: true });
  assert.deepEqual(await fit(JSON.stringify(await exportJWK(weak.publicKey))), ['#jwk Der Schlüssel muss mindestens 4096 Bit lang sein']);
  const privateJwk = JSON.stringify(await exportJWK(weak.privateKey));
  assert.deepEqual(await fit(privateJwk), ['#jwk Das ist ein privater Schlüssel. Geben Sie nur den öffentlichen Schlüssel ein']);
  const privateRes = await admin.submit(PAGE, { kind: 'fit_connect', targetName: 'FIT', url: 'https://zustellung.example.org', destinationId: 'b5e1a0a2-0f5e-4c3e-9a0b-6a8e3c2d1f00', jwk: privateJwk }, '/verwaltung/anbindungen/ziele');
  assert.equal(html(privateRes).querySelector('#jwk')?.text, '', 'a private key is not echoed back');
  assert.doesNotMatch(privateRes.body, /"d":/);
  assert.deepEqual(await fit(JSON.stringify({ ...strongJwk, alg: 'RSA1_5' })), ['#jwk Der Schlüssel ist kein öffentlicher RSA-Schlüssel im JWK-Format für RSA-OAEP-256']);
  assert.equal(await app.database.db.selectFrom('case_delivery_targets').select('id').where('tenant_id', '=', await lkCoburg()).executeTakeFirst(), undefined, 'nothing stored');
});

test('addresses: https everywhere; http only to this machine and never in production', () => {
  assert.ok(isDeliveryUrl('https://fv.example.org/eingang', false));
  assert.ok(!isDeliveryUrl('http://127.0.0.1:8080/hook', false), 'production refuses http');
  assert.ok(isDeliveryUrl('http://127.0.0.1:8080/hook', true));
  assert.ok(isDeliveryUrl('http://localhost/hook', true));
  assert.ok(!isDeliveryUrl('http://10.0.0.5/hook', true), 'http elsewhere is refused');
  assert.ok(!isDeliveryUrl('https://user:pw@fv.example.org/', false), 'no credentials in the address');
  assert.ok(!isDeliveryUrl('ftp://fv.example.org/', true));
  assert.equal(jwkProblem(JSON.stringify(strongJwk)), null);
});

test('a webhook target without a secret gets one, shown once; it is stored encrypted', async () => {
  const res = await admin.submit(PAGE, { kind: 'webhook', targetName: 'Bauamt-Software', url: 'https://bauamt.example.org/eingang', secret: '' }, '/verwaltung/anbindungen/ziele');
  assert.equal(res.statusCode, 200);
  const secret = html(res).querySelector('code.secret')?.text ?? '';
  assert.match(secret, /^[\w-]{43}$/);
  const row = await app.database.db.selectFrom('case_delivery_targets').selectAll().where('tenant_id', '=', await lkCoburg()).where('name', '=', 'Bauamt-Software').executeTakeFirstOrThrow();
  assert.notEqual(row.secret_enc, secret);
  assert.equal(app.cipher.decrypt(row.secret_enc!), secret);
  const listed = await admin.get(PAGE);
  assert.doesNotMatch(listed.body, new RegExp(secret), 'the secret is not shown again');
  assert.match(html(listed).querySelector('table.targets')!.text, /Bauamt-Software/);
  const audit = await app.database.db.selectFrom('audit_events').select('action').where('subject_id', '=', row.id).execute();
  assert.deepEqual(audit.map((a) => a.action), ['case_delivery.target_added']);
});

test('a FIT-Connect target keeps the public key members only, limited to a procedure of the tenant', async () => {
  const db = app.database.db;
  const procedure = await db.selectFrom('application_procedures').select('online_procedure_id').where('tenant_id', '=', await lkCoburg()).executeTakeFirstOrThrow();
  const res = await admin.submit(PAGE, {
    kind: 'fit_connect', targetName: 'FIT-Bau', url: 'https://submission-api.example.org', procedureId: procedure.online_procedure_id,
    destinationId: 'b5e1a0a2-0f5e-4c3e-9a0b-6a8e3c2d1f00', jwk: JSON.stringify({ ...strongJwk, key_ops: ['wrapKey'], x5t: 'ignored' }),
  }, '/verwaltung/anbindungen/ziele');
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `${PAGE}?hinweis=ziel-angelegt`);
  const row = await db.selectFrom('case_delivery_targets').selectAll().where('name', '=', 'FIT-Bau').executeTakeFirstOrThrow();
  assert.equal(row.procedure_id, procedure.online_procedure_id);
  assert.equal(row.destination_id, 'b5e1a0a2-0f5e-4c3e-9a0b-6a8e3c2d1f00');
  const jwk = typeof row.encryption_jwk === 'string' ? JSON.parse(row.encryption_jwk) : row.encryption_jwk;
  assert.deepEqual(Object.keys(jwk!).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  assert.equal(row.secret_enc, null);

  // Another tenant's procedure cannot be chosen.
  const coburgProcedure = await db.selectFrom('application_procedures').select('online_procedure_id').where('tenant_id', '=', await tenantIdOf(db, 'coburg')).executeTakeFirstOrThrow();
  const refused = await admin.submit(PAGE, { kind: 'webhook', targetName: 'X', url: 'https://x.example.org', procedureId: coburgProcedure.online_procedure_id, secret: 'a'.repeat(40) }, '/verwaltung/anbindungen/ziele');
  assert.equal(refused.statusCode, 400);
  assert.deepEqual(html(refused).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#procedureId']);
});

test('deactivating a target; another tenant\'s target is not found and stays active', async () => {
  const db = app.database.db;
  const own = await insertTarget(db, await lkCoburg(), { kind: 'webhook', name: 'Alt', url: 'https://alt.example.org', procedureId: null, secretEnc: app.cipher.encrypt('s'.repeat(40)), destinationId: null, encryptionJwk: null });
  const foreign = await insertTarget(db, await tenantIdOf(db, 'coburg'), { kind: 'webhook', name: 'Fremd', url: 'https://fremd.example.org', procedureId: null, secretEnc: app.cipher.encrypt('s'.repeat(40)), destinationId: null, encryptionJwk: null });
  const res = await admin.submit(PAGE, {}, `/verwaltung/anbindungen/ziele/${own}/deaktivieren`);
  assert.equal(res.statusCode, 303);
  assert.equal((await db.selectFrom('case_delivery_targets').select('active').where('id', '=', own).executeTakeFirstOrThrow()).active, false);
  const page = html(await admin.get(`${PAGE}?hinweis=ziel-deaktiviert`));
  assert.match(page.querySelector('[role=status]')!.text, /deaktiviert/);

  const token = html(await admin.get(PAGE)).querySelector('input[name=_csrf]')!.getAttribute('value')!;
  assert.equal((await admin.post(`/verwaltung/anbindungen/ziele/${foreign}/deaktivieren`, { _csrf: token })).statusCode, 404);
  assert.equal((await admin.post('/verwaltung/anbindungen/ziele/keine-uuid/deaktivieren', { _csrf: token })).statusCode, 404);
  assert.equal((await db.selectFrom('case_delivery_targets').select('active').where('id', '=', foreign).executeTakeFirstOrThrow()).active, true);
});

test('integration clients: the token is shown once and stored as SHA-256; revoking; another tenant\'s client is not found', async () => {
  const db = app.database.db;
  const empty = await admin.submit(PAGE, { clientName: ' ' }, '/verwaltung/anbindungen/zugaenge');
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(html(empty).querySelectorAll('.error-summary a').map((a) => a.getAttribute('href')), ['#clientName']);

  const res = await admin.submit(PAGE, { clientName: 'Bau-Fachverfahren' }, '/verwaltung/anbindungen/zugaenge');
  assert.equal(res.statusCode, 200);
  const token = html(res).querySelector('code.secret')?.text ?? '';
  assert.match(token, /^da_fv_[\w-]{43}$/);
  const row = await db.selectFrom('integration_clients').selectAll().where('name', '=', 'Bau-Fachverfahren').executeTakeFirstOrThrow();
  assert.equal(row.token_hash, createHash('sha256').update(token).digest('hex'));
  assert.equal(row.tenant_id, await lkCoburg());
  assert.doesNotMatch((await admin.get(PAGE)).body, new RegExp(token));

  const revoked = await admin.submit(PAGE, {}, `/verwaltung/anbindungen/zugaenge/${row.id}/widerrufen`);
  assert.equal(revoked.statusCode, 303);
  assert.ok((await db.selectFrom('integration_clients').select('revoked_at').where('id', '=', row.id).executeTakeFirstOrThrow()).revoked_at);

  const foreign = await db.insertInto('integration_clients').values({ tenant_id: await tenantIdOf(db, 'coburg'), name: 'Fremd', token_hash: 'f'.repeat(64) }).returning('id').executeTakeFirstOrThrow();
  const csrf = html(await admin.get(PAGE)).querySelector('input[name=_csrf]')!.getAttribute('value')!;
  assert.equal((await admin.post(`/verwaltung/anbindungen/zugaenge/${foreign.id}/widerrufen`, { _csrf: csrf })).statusCode, 404);
  assert.equal((await db.selectFrom('integration_clients').select('revoked_at').where('id', '=', foreign.id).executeTakeFirstOrThrow()).revoked_at, null);
});

test('recent deliveries are listed with status and attempts, only the tenant\'s own', async () => {
  const db = app.database.db;
  const tenantKeys = createTenantKeys(app.cipher);
  const own = await createSubmittedCase(db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'landkreis-coburg', leikaKey: '99012008001000', ags: '09473159' });
  const target = await insertTarget(db, own.tenantId, { kind: 'webhook', name: 'Liste-Ziel', url: 'https://liste.example.org', procedureId: null, secretEnc: app.cipher.encrypt('s'.repeat(40)), destinationId: null, encryptionJwk: null });
  const [deliveryId] = await insertDeliveries(db, own.tenantId, own.caseId, [target]);
  await db.updateTable('case_deliveries').set({ status: 'failed', attempts: 3, last_error: 'HTTP 400' }).where('id', '=', deliveryId!).execute();
  const foreign = await createSubmittedCase(db, { cipher: app.cipher, tenantKeys }, { tenantSlug: 'coburg' });
  const foreignTarget = await insertTarget(db, foreign.tenantId, { kind: 'webhook', name: 'Fremd-Ziel', url: 'https://fremd.example.org', procedureId: null, secretEnc: app.cipher.encrypt('s'.repeat(40)), destinationId: null, encryptionJwk: null });
  await insertDeliveries(db, foreign.tenantId, foreign.caseId, [foreignTarget]);

  const rows = html(await admin.get(PAGE)).querySelectorAll('table.deliveries tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0]!.slice(0, 4), [own.reference, 'Liste-Ziel', 'fehlgeschlagen', '3']);
  assert.equal(rows[0]![5], 'HTTP 400');
});
