/**
 * `npm run rotate-tenant-key -- <tenant-slug> [--reencrypt-only]`: adds a new version of the
 * tenant's data key (new uploads, messages, notes and decisions use it from then on) and moves
 * everything written with older versions to it: uploads, mailbox subjects and bodies, internal
 * notes, decision texts. Safe to run again after an interruption (`--reencrypt-only` skips the
 * rotation). Uses the configured database (DATABASE_URL, or DATA_DIR — not while a server holds it).
 *
 * Exit codes: 0 done; 64 usage, configuration or database errors.
 */
import { ConfigError, loadConfig } from '../config.ts';
import { reencryptCaseData } from '../modules/cases/index.ts';
import { reencryptMailbox } from '../modules/mailbox/index.ts';
import { createFieldCipher } from '../platform/crypto/field-encryption.ts';
import { createTenantKeys } from '../platform/crypto/tenant-keys.ts';
import { openDatabase } from '../platform/db/database.ts';

const USAGE = 'Aufruf / usage: npm run rotate-tenant-key -- <tenant-slug> [--reencrypt-only]';

async function main(argv: string[]): Promise<number> {
  const slug = argv.find((a) => !a.startsWith('--'));
  const reencryptOnly = argv.includes('--reencrypt-only');
  if (!slug || !/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug) || argv.some((a) => a.startsWith('--') && a !== '--reencrypt-only')) {
    console.error(USAGE);
    return 64;
  }
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    const tenant = await database.db.selectFrom('tenants').select(['id', 'name']).where('slug', '=', slug).executeTakeFirst();
    if (!tenant) { console.error(`Unbekannte Behörde / unknown tenant: ${slug}`); return 64; }
    const tenantKeys = createTenantKeys(createFieldCipher(config.encryptionKey));
    const version = reencryptOnly ? await tenantKeys.currentVersion(database.db, tenant.id) : await tenantKeys.rotate(database.db, tenant.id);
    console.log(`${tenant.name}: Schlüsselversion ${version}${reencryptOnly ? '' : ' neu angelegt'} / key version ${version}`);
    const mailbox = await reencryptMailbox(database.db, { tenantKeys }, tenant.id);
    const cases = await reencryptCaseData(database.db, tenantKeys, tenant.id);
    console.log(`Neu verschlüsselt / re-encrypted: ${mailbox} Dateien und Nachrichten, ${cases} Notizen und Bescheidtexte`);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Fehler / error: ${(error as Error).message}`);
  process.exitCode = 64;
});
