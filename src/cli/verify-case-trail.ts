/**
 * `npm run verify-case-trail [-- --tenant <uuid>] [--json]`: recomputes the hash chains of the case
 * trail in the configured database (DATABASE_URL, or the PGlite directory DATA_DIR — not while a
 * server holds it open) and names the first broken link.
 *
 * Exit codes: 0 every chain is intact; 1 a link is broken (printed: tenant, seq, reason);
 * 64 usage, configuration or database errors.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { verifyCaseTrail, type CaseTrailBreakReason } from '../modules/case-trail/index.ts';
import { openDatabase } from '../platform/db/database.ts';

const USAGE = 'Aufruf / usage: npm run verify-case-trail -- [--tenant <uuid>] [--json]';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const REASONS: Record<CaseTrailBreakReason, [string, string]> = {
  changed_entry: ['Eintrag verändert (Inhalt passt nicht zum Hash)', 'entry changed (content does not match its hash)'],
  missing_entry: ['Eintrag fehlt (Lücke in der Kette)', 'entry missing (gap in the chain)'],
  wrong_prev_hash: ['Verweis auf den vorigen Eintrag falsch (prev_hash)', 'wrong link to the previous entry (prev_hash)'],
  head_mismatch: ['Kettenende (head) passt nicht zum letzten Eintrag', 'chain head does not match the last entry'],
};

async function main(argv: string[]): Promise<number> {
  let tenantId: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--tenant') tenantId = argv[++i] ?? '';
    else if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') { console.log(USAGE); return 0; }
    else { console.error(USAGE); return 64; }
  }
  if (tenantId !== undefined && !UUID.test(tenantId)) { console.error(USAGE); return 64; }
  const config = loadConfig();
  // Opening an empty directory would create a new, empty database there.
  if (!config.databaseUrl && (!config.dataDir || !existsSync(path.join(config.dataDir, 'PG_VERSION')))) {
    console.error(`Keine Datenbank in DATA_DIR / no database in DATA_DIR: ${config.dataDir ?? ':memory:'}`);
    return 64;
  }
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    const result = await verifyCaseTrail(database.db, tenantId ? { tenantId } : {});
    if (json) console.log(JSON.stringify(result));
    else if (result.ok) {
      console.log(`Ergebnis: Die Akten-Protokollkette ist unversehrt (${result.checked} Einträge geprüft).`);
      console.log(`Result: The case trail chain is intact (${result.checked} entries checked).`);
    } else {
      const [de, en] = REASONS[result.reason];
      console.log('Ergebnis: Die Akten-Protokollkette ist GEBROCHEN.');
      console.log('Result: The case trail chain is BROKEN.');
      console.log(`Erstes gebrochenes Glied / first broken link: tenant ${result.tenantId}, seq ${result.seq}`);
      console.log(`Grund / reason: ${result.reason} – ${de} / ${en}`);
      console.log(`Davor unversehrt / intact before: ${result.checked}`);
    }
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Fehler / error: ${(error as Error).message}`);
  process.exitCode = 64;
}
