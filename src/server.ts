/**
 * Starts the portal: parses the configuration, builds the app, listens, and shuts down gracefully
 * on SIGTERM/SIGINT (stop taking requests, finish running ones and the running job, close the database).
 */
import { buildApp, createLogger } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from './demo/seed-demo-data.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  throw error;
}

const log = createLogger(config);
const started = performance.now();
const app = await buildApp(config, { logger: log });
const address = await app.server.listen({ port: config.port, host: config.host });
const url = config.publicUrl ?? address.replace('127.0.0.1', 'localhost');

log.info({ ms: Math.round(performance.now() - started), database: app.database.kind, demo: config.demo }, 'listening');
console.log(`\nDigitales Amt läuft auf ${url}  (database: ${app.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir ?? 'memory'}` : 'PostgreSQL server'})`);
if (config.demo) {
  console.log(`\nDemo-Zugänge für die Verwaltung (${url}/verwaltung/anmelden), Passwort für alle: ${DEMO_PASSWORD}`);
  console.log('Zweiter Faktor: TOTP-Schlüssel in eine Authenticator-App übernehmen (oder: oathtool --totp -b SCHLÜSSEL)');
  for (const login of DEMO_LOGINS) console.log(`  ${login.email.padEnd(52)} ${login.totpSecret}  ${login.role}`);
  console.log(`\nDemo-E-Mails: ${url}/betrieb/mails (als Betrieb angemeldet)\n`);
}

let shuttingDown = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
