/**
 * `npm run verify-pdf <file> [--trust ca.pem ...] [--json]`: checks the seal of a PDF and prints the
 * result in German and English. Trusted are the CAs in `--trust` files, in SEAL_TRUST_ANCHORS and,
 * in demo mode, the demo CA (its certificate file under DATA_DIR/seal, or the database when
 * DATABASE_URL is set).
 *
 * Exit codes: 0 the seal is valid (intact, covering the whole document, from a trusted CA);
 * 1 not sealed, changed or broken; 2 intact but not from a trusted CA; 64 usage or file errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { openDatabase } from '../platform/db/database.ts';
import { certificatesFromPem } from '../platform/pdf/certificates.ts';
import { isSealValid, verifyPdfSeal, type SealVerification } from '../platform/pdf/verify-pdf-seal.ts';

const USAGE = 'Aufruf / usage: npm run verify-pdf -- <datei.pdf> [--trust ca.pem] [--json]';

async function demoCaCertificates(config: Config): Promise<Uint8Array[]> {
  if (!config.seal.demoKeys) return [];
  if (config.seal.demoCaFile && existsSync(config.seal.demoCaFile)) return certificatesFromPem(readFileSync(config.seal.demoCaFile, 'utf8'));
  // A PostgreSQL server may be shared with running instances; embedded PGlite is not opened here
  // (it belongs to the running server), so there only the file above counts.
  if (!config.databaseUrl) return [];
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: null, poolSize: 1 });
  try {
    const row = await database.db.selectFrom('seal_keys').select('certificate_pem').where('purpose', '=', 'demo_ca').executeTakeFirst();
    return row ? certificatesFromPem(row.certificate_pem) : [];
  } finally {
    await database.close();
  }
}

function describe(result: SealVerification): string[] {
  const yes = (ok: boolean): string => (ok ? 'ja / yes' : 'NEIN / NO');
  const lines: string[] = [];
  if (!result.sealed) {
    lines.push('Ergebnis: Das Dokument trägt kein elektronisches Siegel.', 'Result: The document carries no electronic seal.');
    return lines;
  }
  if (isSealValid(result)) lines.push('Ergebnis: Das Siegel ist gültig.', 'Result: The seal is valid.');
  else if (!result.intact) lines.push('Ergebnis: Das Siegel ist UNGÜLTIG – das Dokument wurde verändert oder das Siegel ist beschädigt.', 'Result: The seal is INVALID – the document was changed or the seal is damaged.');
  else if (!result.coversWholeDocument) lines.push('Ergebnis: Nach dem Siegeln wurde etwas angefügt.', 'Result: Something was appended after sealing.');
  else lines.push('Ergebnis: Unverändert, aber das Siegel stammt nicht von einer vertrauenswürdigen Stelle.', 'Result: Unchanged, but the seal is not from a trusted authority.');
  lines.push('');
  if (result.signer) {
    lines.push(`Gesiegelt von / sealed by:       ${result.signer.commonName}`);
    lines.push(`Organisation / organisation:     ${result.signer.organisation}`);
  }
  if (result.signedAt) lines.push(`Zeitpunkt / signing time:        ${result.signedAt.toISOString()}`);
  lines.push(`Signaturformat / sub-filter:     ${result.subFilter ?? '-'}`);
  lines.push(`Unverändert / intact:            ${yes(result.intact)}`);
  lines.push(`Ganzes Dokument / whole file:    ${yes(result.coversWholeDocument)}`);
  lines.push(`Vertrauenswürdig / trusted:      ${yes(result.trusted)}`);
  if (result.problems.length) lines.push(`Befunde / problems:              ${result.problems.join(', ')}`);
  return lines;
}

async function main(argv: string[]): Promise<number> {
  const trustFiles: string[] = [];
  let file: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--trust') trustFiles.push(argv[++i] ?? '');
    else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') { console.log(USAGE); return 0; }
    else if (!file) file = arg;
    else { console.error(USAGE); return 64; }
  }
  if (!file) { console.error(USAGE); return 64; }
  let pdf: Buffer;
  try {
    pdf = readFileSync(file);
  } catch (error) {
    console.error(`Datei nicht lesbar / cannot read file: ${(error as Error).message}`);
    return 64;
  }
  const config = loadConfig();
  const anchors = [
    ...trustFiles.flatMap((f) => certificatesFromPem(readFileSync(f, 'utf8'))),
    ...(config.seal.trustAnchorsFile ? certificatesFromPem(readFileSync(config.seal.trustAnchorsFile, 'utf8')) : []),
    ...await demoCaCertificates(config),
  ];
  const result = await verifyPdfSeal(pdf, anchors);
  if (json) console.log(JSON.stringify({ ...result, valid: isSealValid(result) }, null, 2));
  else console.log(describe(result).join('\n'));
  if (isSealValid(result)) return 0;
  return result.sealed && result.intact && result.coversWholeDocument ? 2 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Fehler / error: ${(error as Error).message}`);
  process.exitCode = 64;
}
