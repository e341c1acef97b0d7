import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { certificateToPem, generateSealPrivateKey, issueCertificate } from '../platform/pdf/certificates.ts';
import { renderPdf } from '../platform/pdf/render-pdf.ts';
import { sealPdf } from '../platform/pdf/seal-pdf.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'verify-cli-'));
const cli = path.resolve(import.meta.dirname, 'verify-pdf.ts');
let sealedFile: string;
let tamperedFile: string;
let caFile: string;

before(async () => {
  const caKey = generateSealPrivateKey();
  const ca = await issueCertificate({ subject: { commonName: 'Digitales Amt Demo-CA — nur zum Testen', organisation: 'Test' }, subjectKey: caKey, ca: true, validDays: 30 });
  const key = generateSealPrivateKey();
  const cert = await issueCertificate({ subject: { commonName: 'Markt Prüfening', organisation: 'Markt Prüfening' }, subjectKey: key, issuer: { certificate: ca, privateKey: caKey }, ca: false, validDays: 30 });
  mkdirSync(path.join(dir, 'seal'));
  caFile = path.join(dir, 'seal', 'demo-ca.pem');
  writeFileSync(caFile, certificateToPem(ca));
  const sealed = Buffer.from(await sealPdf(await renderPdf({ title: 'Bescheid', author: 'Markt Prüfening', blocks: [] }), { privateKey: key, certificates: [cert, ca] }, { reason: 'Bescheid', location: 'Prüfening', name: 'Markt Prüfening' }));
  sealedFile = path.join(dir, 'bescheid.pdf');
  writeFileSync(sealedFile, sealed);
  const at = sealed.indexOf('Bescheid') + 1;
  sealed[at] = sealed[at] === 0x65 ? 0x45 : 0x65;
  tamperedFile = path.join(dir, 'veraendert.pdf');
  writeFileSync(tamperedFile, sealed);
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8', env: { PATH: process.env.PATH, NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent', ...env },
  });
}

test('a valid seal under the demo CA: exit 0 and a German/English report naming the authority', () => {
  const result = run([sealedFile]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Ergebnis: Das Siegel ist gültig\./);
  assert.match(result.stdout, /Result: The seal is valid\./);
  assert.match(result.stdout, /Gesiegelt von \/ sealed by:\s+Markt Prüfening/);
  assert.match(result.stdout, /ETSI\.CAdES\.detached/);
});

test('a changed document: exit 1; without a trust anchor: exit 2; a trust file given: exit 0; no file: 64', () => {
  const tampered = run([tamperedFile]);
  assert.equal(tampered.status, 1);
  assert.match(tampered.stdout, /UNGÜLTIG/);
  assert.match(tampered.stdout, /digest-mismatch/);
  const untrusted = run([sealedFile], { SEAL_DEMO_KEYS: 'false' });
  assert.equal(untrusted.status, 2);
  assert.match(untrusted.stdout, /Vertrauenswürdig \/ trusted:\s+NEIN/);
  assert.equal(run([sealedFile, '--trust', caFile], { SEAL_DEMO_KEYS: 'false' }).status, 0);
  const json = run([sealedFile, '--json']);
  assert.equal(JSON.parse(json.stdout).valid, true);
  assert.equal(run([path.join(dir, 'fehlt.pdf')]).status, 64);
  assert.equal(run([]).status, 64);
});
