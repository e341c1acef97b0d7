/**
 * catalog-search: the service search and the authority lookup under load, with the full Bavarian
 * data set (all municipalities, all services) and 100,000 generated online-procedure links, against
 * a bare node:http server sending the same JSON bodies; and how search latency changes from 1,000 to
 * 100,000 links. The load is a mix (20 queries or services x 10 municipalities, each connection
 * cycling through them), so the instance cache answers repeated questions as it would in service;
 * the first, uncached answer to each question is timed separately. Goals from the issue: search p95
 * <= 15 ms and >= 25 % of the bare server's requests/s at 50 connections; authority lookup p95 <= 5 ms.
 */
import { buildCatalogData } from './lib/catalog-data.ts';
import { httpGet } from './lib/http.ts';
import { describeLoad, measureLoad, type LoadOptions, type LoadResult } from './lib/load.ts';
import { removeTempDir } from './lib/processes.ts';
import { startApp, startBaseline } from './lib/servers.ts';
import { percentile } from './lib/stats.ts';
import type { Benchmark, BenchContext, BenchResult } from './lib/types.ts';

const LOAD: LoadOptions = { warmupSeconds: 2, durationSeconds: 5, connections: 50 };
const QUERIES = [
  'wohnsitz anmelden', 'fuehrungszeugnis', 'hundesteur', 'gewerbe anmelden', 'personalausweis', 'reisepass', 'baugenehmigung',
  'wohnsitzanmeldung', 'meldebescheinigung', 'kfz zulassung', 'fuehrerschein', 'kindergeld', 'elterngeld', 'heiraten',
  'geburtsurkunde', 'hund anmelden', 'umzug', 'gewerbeabmeldung', 'abmeldung wohnung', 'parkausweis',
];
const SERVICES = [
  '99115005104000', '99049001000000', '99102013000000', '99050012104000', '99008001000000', '99012008000000', '99036008000000',
  '99023001000000', '99041008000000', '99059001000000', '99115005070000', '99115003000000', '99050012070000', '99085001000000',
  '99107023000000', '99010001000000', '99027009000000', '99102010000000', '99079001000000', '99115004000000',
];

type Mix = { name: string; paths: string[] };

function mixes(agsList: string[]): { search: Mix; lookup: Mix } {
  const search = agsList.flatMap((ags) => QUERIES.map((q) => `/api/v1/services?q=${encodeURIComponent(q)}&ags=${ags}`));
  const lookup = agsList.flatMap((ags) => SERVICES.map((key) => `/api/v1/responsibility?leikaKey=${key}&ags=${ags}`));
  return { search: { name: 'search', paths: search }, lookup: { name: 'lookup', paths: lookup } };
}

async function measureWith(ctx: BenchContext, links: number, withLookup: boolean) {
  ctx.log(`building data: all municipalities and services, ${links} online-procedure links …`);
  const started = performance.now();
  const data = await buildCatalogData(links);
  ctx.log(`  ${data.links} links over ${data.tenants} connected municipalities in ${Math.round(performance.now() - started)} ms`);
  const { search, lookup } = mixes(data.sampleAgs);
  const app = await startApp({ dataDir: data.dataDir, env: { DEMO: 'false' } });
  const results = new Map<string, LoadResult>();
  const bodies: Record<string, string> = {};
  const cold = new Map<string, number[]>();
  try {
    for (const mix of withLookup ? [search, lookup] : [search]) {
      // The first answer to each question, one at a time: what an uncached request costs.
      const times: number[] = [];
      for (const path of mix.paths) {
        const t0 = performance.now();
        const res = await httpGet(app.port, path);
        times.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
        bodies[path] = res.body.toString('utf8');
      }
      cold.set(mix.name, times);
      ctx.log(`app (${data.links} links) ${mix.name}, first answers one at a time: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms (${times.length} distinct requests)`);
      const result = await measureLoad(`app ${mix.name}`, app.port, mix.name, LOAD, mix.paths);
      results.set(mix.name, result);
      ctx.log(`app (${data.links} links) ${mix.name} mix under load: ${describeLoad(result)}`);
    }
  } finally {
    await app.stop();
    removeTempDir(data.dataDir);
  }
  return { results, bodies, cold, mixes: { search, lookup } };
}

export const benchmark: Benchmark = {
  name: 'catalog-search',
  description: 'search and authority lookup API at 50 connections with 100,000 links, vs. bare node:http; search at 1,000 vs. 100,000 links',
  async run(ctx) {
    ctx.log(`load: autocannon, ${LOAD.connections} connections, ${LOAD.warmupSeconds} s warm-up + ${LOAD.durationSeconds} s measured, each connection cycling through a mix of 200 URLs; app on PGlite with DEMO=false`);
    const big = await measureWith(ctx, 100_000, true);
    const small = await measureWith(ctx, 1_000, false);

    const baseline = await startBaseline(big.bodies);
    const base = new Map<string, LoadResult>();
    try {
      for (const mix of [big.mixes.search, big.mixes.lookup]) {
        const result = await measureLoad(`baseline ${mix.name}`, baseline.port, mix.name, LOAD, mix.paths);
        base.set(mix.name, result);
        ctx.log(`baseline ${mix.name} mix: ${describeLoad(result)}`);
      }
    } finally {
      await baseline.stop();
    }

    const search = big.results.get('search')!;
    const lookup = big.results.get('lookup')!;
    const searchBase = base.get('search')!;
    const lookupBase = base.get('lookup')!;
    const coldBig = percentile(big.cold.get('search')!, 95);
    const coldSmall = percentile(small.cold.get('search')!, 95);
    ctx.log(`goals: search p95 <= 15 ms (${search.p95Ms.toFixed(1)}), search rps >= 25 % of bare (${(100 * search.rps / searchBase.rps).toFixed(1)} %), lookup p95 <= 5 ms (${lookup.p95Ms.toFixed(1)})`);
    ctx.log(`uncached search p95 one at a time: ${coldSmall.toFixed(1)} ms at 1,000 links, ${coldBig.toFixed(1)} ms at 100,000 links`);
    const results: BenchResult[] = [
      { name: 'catalog-search', metric: 'rps', value: search.rps, baseline: searchBase.rps, better: 'higher', description: 'requests/s of the service search API (mix, 100,000 links), app vs. bare node:http' },
      { name: 'catalog-search-p95', metric: 'p95_ms', value: search.p95Ms, baseline: searchBase.p95Ms, better: 'lower', description: 'p95 latency (ms) of the service search API at 50 connections (mix, 100,000 links), app vs. bare node:http' },
      { name: 'authority-lookup-p95', metric: 'p95_ms', value: lookup.p95Ms, baseline: lookupBase.p95Ms, better: 'lower', description: 'p95 latency (ms) of the responsibility API at 50 connections (mix), app vs. bare node:http' },
      { name: 'catalog-search-scaling', metric: 'uncached_p95_ms_100k', value: coldBig, baseline: coldSmall, better: 'lower', description: 'p95 of first (uncached) search answers, one at a time, with 100,000 links vs. with 1,000 links; ratio near 1 means links do not slow search' },
    ];
    return results;
  },
};
