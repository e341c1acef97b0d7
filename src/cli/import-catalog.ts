/**
 * `npm run import:catalog`: imports the OZG catalogue and LeiKa services from `reference-data/`,
 * prints progress and a report of the rows it rejected and why. Idempotent.
 * `-- --report FILE` also writes the report as JSON.
 */
import { writeFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config.ts';
import { importCatalog } from '../modules/catalog/index.ts';
import { openDatabase } from '../platform/db/database.ts';
import { migrate } from '../platform/db/migrations.ts';

try {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  await migrate(database);
  const started = performance.now();
  const report = await importCatalog(database.db, (line) => console.log(`… ${line}`));
  console.log(`Imported ${report.services} services, ${report.ozgServices} OZG services, ${report.lifeEvents} life events, ` +
    `${report.topics} topics, ${report.rules} responsibility rules; ${report.searchTerms} search terms ` +
    `(${Math.round(performance.now() - started)} ms).`);
  if (report.rejected.length) {
    console.log(`\n${report.rejected.length} rows rejected:`);
    for (const r of report.rejected) console.log(`  ${r.file}:${r.line}  ${r.reason}`);
  }
  const at = process.argv.indexOf('--report');
  if (at > 0 && process.argv[at + 1]) {
    await writeFile(process.argv[at + 1]!, JSON.stringify(report, null, 2));
    console.log(`\nReport written to ${process.argv[at + 1]}`);
  }
  await database.close();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : (error as Error).message);
  process.exit(1);
}
