/**
 * Runs the job worker as its own process (`npm run worker`), for deployments that set
 * RUN_WORKER=false on the web instances. Any number of these may run against one database.
 */
import { buildApp, createLogger } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

try {
  const config = { ...loadConfig(), runWorker: true };
  const log = createLogger(config);
  const app = await buildApp(config, { logger: log });
  log.info('worker started');
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  throw error;
}
