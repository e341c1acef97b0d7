/**
 * Builds the whole application for a test on its own database, with demo tenants and logins.
 */
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { seedDemoData } from '../../src/demo/seed-demo-data.ts';
import { createFieldCipher } from '../../src/platform/crypto/field-encryption.ts';
import { createTestDatabase } from './database.ts';

export interface TestApp extends App {
  /** Closes the app and drops its database. */
  dispose(): Promise<void>;
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', DEMO: 'true', RUN_WORKER: 'false', LOG_LEVEL: 'silent', DATA_DIR: ':memory:', CACHE_CHECK_MS: '0', ...env });
  const { database, drop } = await createTestDatabase();
  await seedDemoData(database.db, createFieldCipher(config.encryptionKey));
  const app = await buildApp(config, { database });
  return Object.assign(app, {
    async dispose() {
      await app.close();
      await drop();
    },
  });
}
