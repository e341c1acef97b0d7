/**
 * `npm run migrate`: applies pending migrations and loads the reference data, then exits.
 * `npm run migrate -- --reference-data` also reloads the reference data when the table is filled.
 */
import { ConfigError, loadConfig } from '../config.ts';
import { loadReferenceData } from '../modules/municipalities/index.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrations.ts';

try {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  const applied = await migrate(database);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema is current.');
  const loaded = await loadReferenceData(database.db, { force: process.argv.includes('--reference-data') });
  if (loaded) console.log(`Loaded ${loaded} municipalities.`);
  await database.close();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(1);
}
