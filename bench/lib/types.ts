/**
 * The contract between bench/run.ts and a benchmark module: a module exports one `Benchmark`
 * (as `benchmark`), its `run()` measures the app AND a baseline in the same run and returns the
 * results; run.ts prints them as the benchmark's last lines, `RESULT <name> <metric>=<v> baseline=<v> ratio=<v>`.
 */

/** One comparison of the app against its baseline, measured in the same run. */
export interface BenchResult {
  /** Result name, e.g. `start-page` or `start-page-p95` (no spaces). */
  name: string;
  /** Metric key with its unit, e.g. `rps`, `p95_ms`, `ms` (no spaces or `=`). */
  metric: string;
  value: number;
  baseline: number;
  /** Which way of ratio = value / baseline is better. */
  better: 'higher' | 'lower';
  /** Words for the comment line above the RESULT line: what value and baseline are. */
  description: string;
}

export interface BenchContext {
  /** Prints an informational line (indented under the benchmark's heading). */
  log(line: string): void;
}

export interface Benchmark {
  /** Name used on the command line (`npm run bench -- <name>`). */
  name: string;
  /** One line shown before the benchmark runs. */
  description: string;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}
