import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { upsertTenant } from '../../modules/tenants/index.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { createFieldCipher } from '../crypto/field-encryption.ts';
import { certificateToPem, generateSealPrivateKey, issueCertificate } from './certificates.ts';
import { renderPdf, type PdfDocumentModel } from './render-pdf.ts';
import { createSealKeyStore, DEMO_CA_NAME } from './seal-keys.ts';
import { sealPdf } from './seal-pdf.ts';
import { isSealValid, verifyPdfSeal } from './verify-pdf-seal.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pdf-test-'));
let testDb: TestDatabase;
const cipher = createFieldCipher(randomBytes(32));
let tenantId: string;

before(async () => {
  testDb = await createTestDatabase();
  tenantId = (await upsertTenant(testDb.database.db, { slug: 'gemeinde-pdftest', name: 'Gemeinde Prüfhausen', kind: 'state_authority' })).id;
});
after(async () => { await testDb.drop(); });

const model: PdfDocumentModel = {
  title: 'Bescheid über die Hundesteuer',
  author: 'Gemeinde Prüfhausen',
  footer: 'Gemeinde Prüfhausen · Aktenzeichen 2026-0042',
  blocks: [
    { kind: 'paragraph', text: 'Sehr geehrte Frau Müller, für Ihren Hund „Bello“ setzen wir die Steuer auf 75,00 € jährlich fest. Größe und Maß sind übermittelt.' },
    { kind: 'heading', text: 'Ihre Angaben' },
    { kind: 'answers', rows: [{ label: 'Name des Hundes', value: 'Bello' }, { label: 'Straße', value: 'Schloßstraße 7' }, { label: 'Bemerkung', value: '' }] },
    { kind: 'heading', text: 'Anlagen', level: 3 },
    { kind: 'list', items: ['Impfausweis.pdf', 'Übergabevertrag.pdf'] },
    ...Array.from({ length: 45 }, (_, i) => ({ kind: 'paragraph' as const, text: `Begründung, Absatz ${i + 1}: Gebühr nach Satzung.` })),
  ],
};

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Runs Debian's pdfsig (poppler) and returns its output (it exits non-zero for invalid signatures). */
function pdfsig(file: string): string {
  const result = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

test('renders a PDF/A-2b-oriented, tagged PDF with embedded fonts; umlauts and € come out as text; pages are numbered', async () => {
  const file = write('plain.pdf', await renderPdf(model));
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  assert.match(text, /Bescheid über die Hundesteuer/);
  assert.match(text, /Frau Müller/);
  assert.match(text, /75,00 €/);
  assert.match(text, /Schloßstraße 7/);
  assert.match(text, /Übergabevertrag\.pdf/);
  assert.match(text, /Seite 1 von 2/);
  assert.match(text, /Seite 2 von 2/);
  const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
  const fontLines = fonts.split('\n').slice(2).filter(Boolean);
  assert.ok(fontLines.length >= 2);
  for (const line of fontLines) assert.match(line, /DejaVuSans\S*\s+CID TrueType\s+Identity-H\s+yes yes yes/, `every font embedded: ${line}`);
  assert.match(execFileSync('pdfinfo', [file], { encoding: 'utf8' }), /Tagged:\s+yes/);
  const info = execFileSync('pdfinfo', ['-meta', file], { encoding: 'utf8' });
  assert.match(info, /<pdfaid:part>2<\/pdfaid:part>/);
  assert.match(info, /<pdfaid:conformance>B<\/pdfaid:conformance>/);
  const raw = Buffer.from(await renderPdf(model)).toString('latin1');
  assert.match(raw, /\/OutputIntents/);
  assert.match(raw, /\/S \/GTS_PDFA1/);
});

test('a sealed PDF verifies with pdfsig (PAdES, ETSI.CAdES.detached, whole document) and with our verifier', async () => {
  const store = createSealKeyStore({ db: testDb.database.db, cipher, config: { keyFile: null, certFile: null, tenantKeyDir: null, trustAnchorsFile: null, demoKeys: true, demoCaFile: null } });
  const key = await store.tenantKey(tenantId);
  const sealed = await sealPdf(await renderPdf(model), key, { reason: 'Bescheid erlassen', location: 'Prüfhausen', name: 'Gemeinde Prüfhausen' });
  const file = write('sealed.pdf', sealed);

  const out = pdfsig(file);
  assert.match(out, /Signature Type: ETSI\.CAdES\.detached/);
  assert.match(out, /Signer Certificate Common Name: Gemeinde Prüfhausen \(Siegel, Demo\)/);
  assert.match(out, /Signing Hash Algorithm: SHA-256/);
  assert.match(out, /Total document signed/);
  assert.match(out, /Signature Validation: Signature is Valid\./);
  // The demo CA is in no trust store pdfsig knows: it says so, and that is what the demo should say.
  assert.match(out, /Certificate Validation: Certificate issuer isn't Trusted\./);

  const result = await verifyPdfSeal(sealed, await store.trustAnchors());
  assert.deepEqual(result.problems, []);
  assert.equal(result.sealed, true);
  assert.equal(result.intact, true);
  assert.equal(result.coversWholeDocument, true);
  assert.equal(result.trusted, true);
  assert.equal(result.subFilter, 'ETSI.CAdES.detached');
  assert.deepEqual(result.signer, { commonName: 'Gemeinde Prüfhausen (Siegel, Demo)', organisation: 'Gemeinde Prüfhausen' });
  assert.ok(result.signedAt && Math.abs(result.signedAt.getTime() - Date.now()) < 60_000);
  assert.ok(isSealValid(result));

  // The text survives sealing (pdf-lib rewrites the file).
  assert.match(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }), /75,00 €/);

  // Without the demo CA as anchor the same seal is intact but not trusted.
  const untrusted = await verifyPdfSeal(sealed, []);
  assert.equal(untrusted.intact, true);
  assert.equal(untrusted.trusted, false);
  assert.deepEqual(untrusted.problems, ['untrusted']);
});

test('a changed byte in the signed content fails our verifier and pdfsig', async () => {
  const store = createSealKeyStore({ db: testDb.database.db, cipher, config: { keyFile: null, certFile: null, tenantKeyDir: null, trustAnchorsFile: null, demoKeys: true, demoCaFile: null } });
  const sealed = await sealPdf(await renderPdf(model), await store.platformKey(), { reason: 'Eingangsbestätigung', location: 'Bayern', name: 'Digitales Amt' });
  const tampered = Buffer.from(sealed);
  const at = Buffer.from(sealed).indexOf('/Title');
  tampered[at + 10] = tampered[at + 10] === 0x41 ? 0x42 : 0x41;
  const result = await verifyPdfSeal(tampered, await store.trustAnchors());
  assert.equal(result.sealed, true);
  assert.equal(result.intact, false);
  assert.equal(result.trusted, false);
  assert.ok(result.problems.includes('digest-mismatch'));
  assert.equal(isSealValid(result), false);
  const out = pdfsig(write('tampered.pdf', tampered));
  assert.doesNotMatch(out, /Signature is Valid/);
  assert.match(out, /Signature Validation: Digest Mismatch\./);
});

test('a changed signature value fails, and an appended update is reported as not covering the document', async () => {
  const store = createSealKeyStore({ db: testDb.database.db, cipher, config: { keyFile: null, certFile: null, tenantKeyDir: null, trustAnchorsFile: null, demoKeys: true, demoCaFile: null } });
  const sealed = Buffer.from(await sealPdf(await renderPdf(model), await store.platformKey(), { reason: 'Test', location: 'Bayern', name: 'Digitales Amt' }));
  // The ECDSA signature is the last DER element before the zero padding of /Contents.
  const text = sealed.toString('latin1');
  const contentsStart = text.indexOf('/Contents <') + '/Contents <'.length;
  const hexEnd = text.indexOf('>', contentsStart);
  const hex = text.slice(contentsStart, hexEnd).replace(/(00)+$/, '');
  const flip = contentsStart + hex.length - 6;
  const badSignature = Buffer.from(sealed);
  badSignature[flip] = badSignature[flip] === 0x31 ? 0x32 : 0x31;
  const result = await verifyPdfSeal(badSignature, await store.trustAnchors());
  assert.equal(result.intact, false);
  assert.ok(result.problems.includes('signature-invalid'), result.problems.join());
  assert.doesNotMatch(pdfsig(write('bad-signature.pdf', badSignature)), /Signature is Valid/);

  const appended = Buffer.concat([sealed, Buffer.from('\n1 0 obj\n<< >>\nendobj\n%%EOF\n')]);
  const partial = await verifyPdfSeal(appended, await store.trustAnchors());
  assert.equal(partial.intact, true);
  assert.equal(partial.coversWholeDocument, false);
  assert.ok(partial.problems.includes('not-whole-document'));
  assert.equal(isSealValid(partial), false);
});

test('an unsealed or unreadable file is reported as not sealed', async () => {
  const plain = await verifyPdfSeal(await renderPdf(model));
  assert.equal(plain.sealed, false);
  assert.deepEqual(plain.problems, ['not-sealed']);
  const garbage = await verifyPdfSeal(new TextEncoder().encode('#!/bin/sh\necho hallo\n'));
  assert.equal(garbage.sealed, false);
});

test('demo keys: one demo CA, one key per owner, private keys encrypted at rest; configured keys come from files and a demo certificate is refused outside demo mode', async () => {
  const db = testDb.database.db;
  const store = createSealKeyStore({ db, cipher, config: { keyFile: null, certFile: null, tenantKeyDir: null, trustAnchorsFile: null, demoKeys: true, demoCaFile: null } });
  const again = createSealKeyStore({ db, cipher, config: { keyFile: null, certFile: null, tenantKeyDir: null, trustAnchorsFile: null, demoKeys: true, demoCaFile: null } });
  const [a, b] = await Promise.all([store.tenantKey(tenantId), again.tenantKey(tenantId)]);
  assert.deepEqual(a.certificates, b.certificates, 'a second instance uses the stored key');
  const rows = await db.selectFrom('seal_keys').selectAll().execute();
  assert.equal(rows.filter((r) => r.purpose === 'demo_ca').length, 1);
  assert.equal(rows.filter((r) => r.tenant_id === tenantId).length, 1);
  for (const row of rows) {
    assert.doesNotMatch(row.private_key_enc, /PRIVATE KEY/);
    assert.match(row.certificate_pem, /BEGIN CERTIFICATE/);
  }
  const caPem = rows.find((r) => r.purpose === 'demo_ca')!.certificate_pem;
  assert.equal(new X509Certificate(caPem).subject.split('\n').find((l) => l.startsWith('CN='))?.slice(3), DEMO_CA_NAME);
  assert.equal(new X509Certificate(caPem).ca, true);

  // Production-like: the platform key from files; a certificate issued by the demo CA is refused.
  const demoKey = await store.platformKey();
  const keyFile = write('demo.key.pem', Buffer.from(demoKey.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()));
  const certFile = write('demo.cert.pem', Buffer.from(demoKey.certificates.map(certificateToPem).join('')));
  const production = createSealKeyStore({ db, cipher, config: { keyFile, certFile, tenantKeyDir: null, trustAnchorsFile: null, demoKeys: false, demoCaFile: null } });
  await assert.rejects(production.platformKey(), /demo CA cannot be used/);
  await assert.rejects(production.tenantKey(tenantId), /No seal key configured for tenant gemeinde-pdftest/);

  const ownCaKey = generateSealPrivateKey();
  const ownCa = await issueCertificate({ subject: { commonName: 'Bayerische Test-CA', organisation: 'Freistaat Bayern' }, subjectKey: ownCaKey, ca: true, validDays: 30 });
  const sealKey = generateSealPrivateKey();
  const sealCert = await issueCertificate({ subject: { commonName: 'Gemeinde Prüfhausen', organisation: 'Gemeinde Prüfhausen' }, subjectKey: sealKey, issuer: { certificate: ownCa, privateKey: ownCaKey }, ca: false, validDays: 30 });
  const tenantDir = mkdtempSync(path.join(dir, 'tenants-'));
  writeFileSync(path.join(tenantDir, 'gemeinde-pdftest.key.pem'), sealKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  writeFileSync(path.join(tenantDir, 'gemeinde-pdftest.cert.pem'), certificateToPem(sealCert) + certificateToPem(ownCa));
  const anchors = write('anchors.pem', Buffer.from(certificateToPem(ownCa)));
  const configured = createSealKeyStore({ db, cipher, config: { keyFile: null, certFile: null, tenantKeyDir: tenantDir, trustAnchorsFile: anchors, demoKeys: false, demoCaFile: null } });
  const sealed = await sealPdf(await renderPdf(model), await configured.tenantKey(tenantId), { reason: 'Bescheid', location: 'Prüfhausen', name: 'Gemeinde Prüfhausen' });
  const result = await verifyPdfSeal(sealed, await configured.trustAnchors());
  assert.ok(isSealValid(result), result.problems.join());
  assert.equal(result.signer?.commonName, 'Gemeinde Prüfhausen');
  // The demo CA is no anchor there, so a demo seal is untrusted.
  const demoSealed = await sealPdf(await renderPdf(model), a, { reason: 'x', location: 'y', name: 'z' });
  assert.equal((await verifyPdfSeal(demoSealed, await configured.trustAnchors())).trusted, false);
});

test('an RSA 3072 seal key (as qualified seal CAs often issue) verifies the same way with pdfsig and our verifier', async () => {
  const caKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ca = await issueCertificate({ subject: { commonName: 'Test-CA RSA', organisation: 'Test' }, subjectKey: caKey, ca: true, validDays: 30 });
  const key = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey;
  const cert = await issueCertificate({ subject: { commonName: 'Landratsamt Teststadt', organisation: 'Landratsamt Teststadt' }, subjectKey: key, issuer: { certificate: ca, privateKey: caKey }, ca: false, validDays: 30 });
  const sealed = await sealPdf(await renderPdf(model), { privateKey: key, certificates: [cert, ca] }, { reason: 'Bescheid', location: 'Teststadt', name: 'Landratsamt Teststadt' });
  assert.match(pdfsig(write('rsa.pdf', sealed)), /Signature Validation: Signature is Valid\./);
  const result = await verifyPdfSeal(sealed, [ca]);
  assert.ok(isSealValid(result), result.problems.join());
});
