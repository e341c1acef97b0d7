/**
 * Benchmark harness: `npm run bench` runs every benchmark, `npm run bench -- <name> …` only those.
 * Each benchmark measures the app and a baseline in the same run (machines are shared and noisy) and
 * ends with its RESULT lines:  RESULT <name> <metric>=<value> baseline=<value> ratio=<value>
 * Every other line starts with `#`. Exit code 1 when a benchmark failed. See bench/README.md.
 */
import { benchmark as applicationSubmission } from './application-submission.ts';
import { benchmark as caseProcessing } from './case-processing.ts';
import { benchmark as catalogSearch } from './catalog-search.ts';
import { benchmark as municipalityPage } from './municipality-page.ts';
import { benchmark as startPage } from './start-page.ts';
import { benchmark as startup } from './startup.ts';
import { cleanupAll, cleanupAllSync, NODE_BIN } from './lib/processes.ts';
import { fmt } from './lib/stats.ts';
import type { Benchmark, BenchResult } from './lib/types.ts';

/** Every benchmark, in the order `npm run bench` runs them. Add new ones here. */
const BENCHMARKS: readonly Benchmark[] = [startPage, municipalityPage, startup, catalogSearch, applicationSubmission, caseProcessing];

function resultLines(result: BenchResult): string[] {
  const ratio = result.value / result.baseline;
  return [
    `# ${result.name}: ${result.description}; ratio = value/baseline, ${result.better} is better`,
    `RESULT ${result.name} ${result.metric}=${fmt(result.value)} baseline=${fmt(result.baseline)} ratio=${ratio.toPrecision(4)}`,
  ];
}

function usage(): string {
  return `usage: npm run bench [-- <name> ...]\nbenchmarks:\n${BENCHMARKS.map((b) => `  ${b.name.padEnd(20)} ${b.description}`).join('\n')}`;
}

async function main(): Promise<number> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    console.error(`bench needs Node.js >= 24 (this is ${process.version}); run it as \`npm run bench\` or with node_modules/.bin/node`);
    return 2;
  }
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h') || args.includes('--list')) {
    console.log(usage());
    return 0;
  }
  const unknown = args.filter((a) => !BENCHMARKS.some((b) => b.name === a));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(', ')}\n${usage()}`);
    return 2;
  }
  const selected = args.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => args.includes(b.name));

  console.log(`# bench: ${selected.map((b) => b.name).join(', ')} — node ${process.version} (${NODE_BIN}), all traffic to 127.0.0.1`);
  const failed: string[] = [];
  for (const bench of selected) {
    console.log(`# === ${bench.name}: ${bench.description}`);
    const started = performance.now();
    try {
      const results = await bench.run({ log: (line) => console.log(`# ${line}`) });
      if (results.length === 0) throw new Error('the benchmark returned no result');
      console.log(`# ${bench.name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      for (const result of results) for (const line of resultLines(result)) console.log(line);
    } catch (error) {
      failed.push(bench.name);
      console.log(`# ${bench.name} FAILED after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      console.error(`bench ${bench.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      await cleanupAll();
    }
  }
  if (failed.length > 0) {
    console.error(`bench: FAILED: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

process.on('exit', cleanupAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal} — stopping child processes and removing temp dirs`);
    void cleanupAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
