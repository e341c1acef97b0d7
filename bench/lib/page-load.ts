/**
 * The shape shared by the page benchmarks: load the app with GETs on some pages, then load the bare
 * node:http baseline serving the very same HTML bodies, under the same conditions (each server alone in
 * its own child process, the same load from this process), and compare requests/s and p95 latency.
 */
import { DEFAULT_LOAD, describeLoad, measureLoad, type LoadOptions, type LoadResult } from './load.ts';
import { APP_NODE_ENV, APP_SCRIPT, capturePages, startApp, startBaseline } from './servers.ts';
import { NODE_BIN } from './processes.ts';
import type { BenchContext, BenchResult } from './types.ts';

export interface PageTarget {
  /** Result name; the p95 result is `<name>-p95`. */
  name: string;
  /** Path and query, e.g. `/gemeinden?q=neustadt`. */
  path: string;
}

export async function comparePageLoad(ctx: BenchContext, targets: readonly PageTarget[], load: LoadOptions = DEFAULT_LOAD): Promise<BenchResult[]> {
  ctx.log(`load: autocannon in the harness process, ${load.connections} connections, ${load.warmupSeconds} s warm-up (discarded) + ${load.durationSeconds} s measured per page`);
  ctx.log(`app: ${NODE_BIN} ${APP_SCRIPT} (spawned directly, not via npm) with NODE_ENV=${APP_NODE_ENV}, fresh PGlite data dir, LOG_LEVEL=warn, RATE_LIMIT_PER_MINUTE=100000000`);

  const appResults = new Map<string, LoadResult>();
  let pages: Record<string, string>;
  const app = await startApp();
  try {
    pages = await capturePages(app, targets.map((t) => t.path));
    for (const target of targets) {
      const result = await measureLoad(`app GET ${target.path}`, app.port, target.path, load);
      appResults.set(target.path, result);
      ctx.log(`app      GET ${target.path}: ${describeLoad(result)}`);
    }
  } finally {
    await app.stop();
  }

  const baselineResults = new Map<string, LoadResult>();
  const baseline = await startBaseline(pages);
  ctx.log(`baseline: ${NODE_BIN} bench/support/bare-server.ts (bare node:http, the app's own HTML as constant bodies: ${
    targets.map((t) => `${t.path} ${Buffer.byteLength(pages[t.path] ?? '')} B`).join(', ')})`);
  try {
    for (const target of targets) {
      const result = await measureLoad(`baseline GET ${target.path}`, baseline.port, target.path, load);
      baselineResults.set(target.path, result);
      ctx.log(`baseline GET ${target.path}: ${describeLoad(result)}`);
    }
  } finally {
    await baseline.stop();
  }

  return targets.flatMap((target): BenchResult[] => {
    const a = appResults.get(target.path) as LoadResult;
    const b = baselineResults.get(target.path) as LoadResult;
    return [
      {
        name: target.name, metric: 'rps', value: a.rps, baseline: b.rps, better: 'higher',
        description: `requests/s of GET ${target.path}, app vs. bare node:http`,
      },
      {
        name: `${target.name}-p95`, metric: 'p95_ms', value: a.p95Ms, baseline: b.p95Ms, better: 'lower',
        description: `p95 latency (ms) of GET ${target.path} at ${load.connections} connections, app vs. bare node:http`,
      },
    ];
  });
}

