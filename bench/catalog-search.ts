/**
 * catalog-search: the service search and the authority lookup under load, with the full Bavarian
 * data set (all municipalities, all services) and 100,000 generated online-procedure links, against
 * a bare node:http server sending the same JSON; and how search latency changes from 1,000 to
 * 100,000 links. Goals from the issue: search p95 <= 15 ms and >= 25 % of the bare server's
 * requests/s at 50 connections; authority lookup p95 <= 5 ms.
 */
import { buildCatalogData } from './lib/catalog-data.ts';
import { httpGet } from './lib/http.ts';
import { describeLoad, measureLoad, type LoadOptions } from './lib/load.ts';
import { removeTempDir } from './lib/processes.ts';
import { startApp, startBaseline } from './lib/servers.ts';
import type { Benchmark, BenchContext, BenchResult } from './lib/types.ts';

const LOAD: LoadOptions = { warmupSeconds: 1, durationSeconds: 5, connections: 50 };
const SEARCH = (ags: string) => `/api/v1/services?q=wohnsitz+anmelden&ags=${ags}`;
const LOOKUP = (ags: string) => `/api/v1/responsibility?leikaKey=99115005104000&ags=${ags}`;

async function measureWith(ctx: BenchContext, links: number, paths: (ags: string) => string[]) {
  ctx.log(`building data: all municipalities and services, ${links} online-procedure links …`);
  const started = performance.now();
  const data = await buildCatalogData(links);
  ctx.log(`  ${data.links} links over ${data.tenants} connected municipalities in ${Math.round(performance.now() - started)} ms`);
  const app = await startApp({ dataDir: data.dataDir, env: { DEMO: 'false' } });
  const results = new Map<string, ReturnType<typeof measureLoad> extends Promise<infer R> ? R : never>();
  const bodies: Record<string, string> = {};
  try {
    for (const path of paths(data.sampleAgs)) {
      const res = await httpGet(app.port, path);
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
      bodies[path] = res.body.toString('utf8');
      const result = await measureLoad(`app GET ${path}`, app.port, path, LOAD);
      results.set(path, result);
      ctx.log(`app (${data.links} links) GET ${path}: ${describeLoad(result)}`);
    }
  } finally {
    await app.stop();
    removeTempDir(data.dataDir);
  }
  return { results, bodies, ags: data.sampleAgs };
}

export const benchmark: Benchmark = {
  name: 'catalog-search',
  description: 'GET /api/v1/services (search) and /api/v1/responsibility at 50 connections with 100,000 links, vs. bare node:http; search at 1,000 vs. 100,000 links',
  async run(ctx) {
    ctx.log(`load: autocannon, ${LOAD.connections} connections, ${LOAD.warmupSeconds} s warm-up + ${LOAD.durationSeconds} s measured; app on PGlite with DEMO=false`);
    const big = await measureWith(ctx, 100_000, (ags) => [SEARCH(ags), LOOKUP(ags)]);
    const small = await measureWith(ctx, 1_000, (ags) => [SEARCH(ags)]);

    const baseline = await startBaseline(big.bodies);
    const base = new Map<string, Awaited<ReturnType<typeof measureLoad>>>();
    try {
      for (const path of Object.keys(big.bodies)) {
        const result = await measureLoad(`baseline GET ${path}`, baseline.port, path, LOAD);
        base.set(path, result);
        ctx.log(`baseline GET ${path}: ${describeLoad(result)}`);
      }
    } finally {
      await baseline.stop();
    }

    const search = big.results.get(SEARCH(big.ags))!;
    const lookup = big.results.get(LOOKUP(big.ags))!;
    const searchSmall = small.results.get(SEARCH(small.ags))!;
    const searchBase = base.get(SEARCH(big.ags))!;
    const lookupBase = base.get(LOOKUP(big.ags))!;
    ctx.log(`goals: search p95 <= 15 ms (${search.p95Ms.toFixed(1)}), search rps >= 25 % of bare (${(100 * search.rps / searchBase.rps).toFixed(1)} %), lookup p95 <= 5 ms (${lookup.p95Ms.toFixed(1)})`);
    ctx.log(`search p95 at 1,000 links ${searchSmall.p95Ms.toFixed(1)} ms, at 100,000 links ${search.p95Ms.toFixed(1)} ms`);
    const results: BenchResult[] = [
      { name: 'catalog-search', metric: 'rps', value: search.rps, baseline: searchBase.rps, better: 'higher', description: 'requests/s of the service search API (100,000 links), app vs. bare node:http' },
      { name: 'catalog-search-p95', metric: 'p95_ms', value: search.p95Ms, baseline: searchBase.p95Ms, better: 'lower', description: 'p95 latency (ms) of the service search API at 50 connections (100,000 links), app vs. bare node:http' },
      { name: 'authority-lookup-p95', metric: 'p95_ms', value: lookup.p95Ms, baseline: lookupBase.p95Ms, better: 'lower', description: 'p95 latency (ms) of the responsibility API at 50 connections, app vs. bare node:http' },
      { name: 'catalog-search-scaling', metric: 'p95_ms_100k', value: search.p95Ms, baseline: searchSmall.p95Ms, better: 'lower', description: 'search p95 (ms) with 100,000 links vs. with 1,000 links (same app, same run); ratio near 1 means links do not slow search' },
    ];
    return results;
  },
};
