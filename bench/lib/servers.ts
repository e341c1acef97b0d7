/**
 * Starting the servers under test, always the same way: each in its own child process with the same
 * Node.js binary (NODE_BIN) and no extra flags, listening on 127.0.0.1, while the load comes from this
 * process. Only one server is meant to run at a time.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, httpGet, waitFor200 } from './http.ts';
import { childEnv, makeTempDir, removeTempDir, spawnNode, type Child } from './processes.ts';

/** How the app is started: `node src/server.ts`, exactly what `npm start` runs, without npm in between. */
export const APP_SCRIPT = 'src/server.ts';
export const BARE_SCRIPT = 'bench/support/bare-server.ts';

/**
 * NODE_ENV of the app under test. `development` (the default of `npm start`) re-reads and compiles
 * every template on every request (Nunjucks noCache); `production` needs real secrets and refuses
 * demo data. `test` is the development configuration with template caching — what a deployment serves.
 */
export const APP_NODE_ENV = process.env.BENCH_APP_NODE_ENV ?? 'test';

export interface RunningServer {
  child: Child;
  port: number;
  /** Stops the process (SIGTERM, graceful) and removes what was created for it (not a caller's data dir). */
  stop(): Promise<void>;
}

/** Env of `node src/server.ts` in the bench: fixed port and data dir, quiet logs, a limit no load reaches. */
export function appEnv(port: number, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnv({
    ...extra,
    NODE_ENV: APP_NODE_ENV,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // The limiter still counts every request in the database (its cost is measured), it just never says 429.
    RATE_LIMIT_PER_MINUTE: '100000000',
    // For profiling the app under a benchmark's load, e.g. BENCH_APP_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
    ...(process.env.BENCH_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_APP_NODE_OPTIONS } : {}),
  });
}

/** Starts the app on a fresh (or the given) data dir and waits for 200 on /ready. */
export async function startApp(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const ownDir = options.dataDir ? undefined : makeTempDir('data');
  const dataDir = options.dataDir ?? (ownDir as string);
  const port = await freePort();
  const child = spawnNode(`app (node ${APP_SCRIPT}, port ${port})`, APP_SCRIPT, appEnv(port, dataDir, options.env));
  const stop = async () => {
    const code = await child.stop();
    if (ownDir) removeTempDir(ownDir);
    if (code !== 0) throw new Error(`${child.label} did not shut down cleanly (exit ${code}).\n--- its last output ---\n${child.output()}`);
  };
  try {
    await waitFor200(port, '/ready', child, { intervalMs: 50, timeoutMs: 120_000 });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { child, port, stop };
}

/** Fetches `pathnames` from a running server; each must answer 200 with HTML. */
export async function capturePages(server: RunningServer, pathnames: readonly string[]): Promise<Record<string, string>> {
  const pages: Record<string, string> = {};
  for (const pathname of pathnames) {
    const res = await httpGet(server.port, pathname);
    if (res.status !== 200 || !String(res.headers['content-type']).startsWith('text/html')) {
      throw new Error(`GET ${pathname} on ${server.child.label} answered ${res.status} ${res.headers['content-type']}, expected 200 text/html`);
    }
    pages[pathname] = res.body.toString('utf8');
  }
  return pages;
}

/** Starts the bare node:http baseline answering `pages` (URL → the app's HTML) and waits for its 200. */
export async function startBaseline(pages: Record<string, string>): Promise<RunningServer> {
  const dir = makeTempDir('baseline');
  const bodiesFile = path.join(dir, 'bodies.json');
  writeFileSync(bodiesFile, JSON.stringify(pages));
  const port = await freePort();
  const child = spawnNode(`baseline (node ${BARE_SCRIPT}, port ${port})`, BARE_SCRIPT, childEnv({ PORT: String(port), BENCH_BODIES_FILE: bodiesFile }));
  const stop = async () => {
    const code = await child.stop();
    removeTempDir(dir);
    if (code !== 0) throw new Error(`${child.label} did not shut down cleanly (exit ${code}).\n--- its last output ---\n${child.output()}`);
  };
  try {
    await waitFor200(port, Object.keys(pages)[0] ?? '/', child, { intervalMs: 20, timeoutMs: 30_000 });
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { child, port, stop };
}
