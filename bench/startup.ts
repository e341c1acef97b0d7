/**
 * startup: wall time from spawning `node src/server.ts` to its first 200 on GET / — on a fresh data
 * directory (migrations, reference data and demo data are loaded) and again on the same directory
 * (second start). Baseline: the same measurement for a bare node:http script (bench/support/bare-server.ts),
 * taken three times, interleaved with the app starts, and its median used.
 */
import { freePort, waitFor200 } from './lib/http.ts';
import { childEnv, makeTempDir, NODE_BIN, removeTempDir, spawnNode } from './lib/processes.ts';
import { APP_NODE_ENV, APP_SCRIPT, appEnv, BARE_SCRIPT } from './lib/servers.ts';
import { fmt, median } from './lib/stats.ts';
import type { Benchmark } from './lib/types.ts';

const POLL_MS = 10;
const GIVE_UP_MS = 120_000;

/** Spawns `node <script>` and returns the ms until GET / answered 200; then stops it (must exit 0). */
async function timeToFirst200(label: string, script: string, env: (port: number) => NodeJS.ProcessEnv): Promise<number> {
  const port = await freePort();
  const environment = env(port);
  const started = performance.now();
  const child = spawnNode(`${label} (node ${script}, port ${port})`, script, environment);
  try {
    const answered = await waitFor200(port, '/', child, { intervalMs: POLL_MS, timeoutMs: GIVE_UP_MS });
    return answered - started;
  } finally {
    const code = await child.stop();
    if (code !== 0) throw new Error(`${child.label} did not shut down cleanly (exit ${code}).\n--- its last output ---\n${child.output()}`);
  }
}

export const benchmark: Benchmark = {
  name: 'startup',
  description: 'spawn → first 200 on GET /, fresh data dir and second start, vs. a bare node:http script',
  async run(ctx) {
    ctx.log(`spawned directly as ${NODE_BIN} <script> (not via npm); GET / polled every ${POLL_MS} ms, give up after ${GIVE_UP_MS / 1000} s`);
    ctx.log(`app: ${APP_SCRIPT} with NODE_ENV=${APP_NODE_ENV}, DATA_DIR=<temp dir>, LOG_LEVEL=warn; baseline: ${BARE_SCRIPT} (no framework, no database)`);
    const baselineEnv = (port: number) => childEnv({ PORT: String(port) });
    const dataDir = makeTempDir('startup');
    try {
      const baselines: number[] = [];
      baselines.push(await timeToFirst200('baseline', BARE_SCRIPT, baselineEnv));
      const fresh = await timeToFirst200('app, fresh data dir', APP_SCRIPT, (port) => appEnv(port, dataDir));
      ctx.log(`app, fresh data dir:    ${fmt(fresh)} ms`);
      baselines.push(await timeToFirst200('baseline', BARE_SCRIPT, baselineEnv));
      const again = await timeToFirst200('app, second start', APP_SCRIPT, (port) => appEnv(port, dataDir));
      ctx.log(`app, second start:      ${fmt(again)} ms`);
      baselines.push(await timeToFirst200('baseline', BARE_SCRIPT, baselineEnv));
      const baseline = median(baselines);
      ctx.log(`baseline (bare node:http): ${baselines.map(fmt).join(' / ')} ms, median ${fmt(baseline)} ms`);
      return [
        {
          name: 'startup-fresh', metric: 'ms', value: fresh, baseline, better: 'lower',
          description: 'ms from spawn to first 200 on GET /, app on a fresh data dir vs. bare node:http (median of 3)',
        },
        {
          name: 'startup-restart', metric: 'ms', value: again, baseline, better: 'lower',
          description: 'ms from spawn to first 200 on GET /, app on its existing data dir (second start) vs. bare node:http (median of 3)',
        },
      ];
    } finally {
      removeTempDir(dataDir);
    }
  },
};
