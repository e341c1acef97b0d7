/**
 * Load generation with autocannon, in this (the parent) process, against a server in a child
 * process: a warm-up run that is thrown away, then a measured run. Every response of both runs must
 * be a 200; anything else (non-2xx, errors, timeouts) fails the benchmark.
 */
import autocannon from 'autocannon';
import { HOST } from './http.ts';
import { fmt, percentile } from './stats.ts';

export interface LoadOptions {
  warmupSeconds: number;
  durationSeconds: number;
  connections: number;
}

export const DEFAULT_LOAD: LoadOptions = { warmupSeconds: 1, durationSeconds: 5, connections: 10 };

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  bytesPerResponse: number;
}

interface RunOutcome {
  result: autocannon.Result;
  latencies: number[];
  statuses: Map<number, number>;
}

function runOnce(url: string, connections: number, durationSeconds: number, paths?: readonly string[]): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const instance = autocannon(
      {
        url, connections, duration: durationSeconds, pipelining: 1, timeout: 10,
        // Each connection cycles through the paths in order (a mix of different requests).
        ...(paths ? { requests: paths.map((path) => ({ method: 'GET' as const, path })) } : {}),
      },
      (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve({ result, latencies, statuses })),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
  });
}

function assertAllOk(label: string, url: string, outcome: RunOutcome): void {
  const { result, statuses } = outcome;
  const others = [...statuses].filter(([code]) => code !== 200);
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0 || others.length > 0 || result.requests.total === 0) {
    const byCode = [...statuses].map(([code, n]) => `${code}×${n}`).join(', ') || 'none';
    throw new Error(
      `${label}: not every response to ${url} was a 200 — responses: ${byCode}; non2xx=${result.non2xx} errors=${result.errors} ` +
      `timeouts=${result.timeouts} total=${result.requests.total}`,
    );
  }
}

/**
 * Warm-up, then the measured run, against http://127.0.0.1:<port><pathname>; with `mix`, each
 * connection cycles through those paths instead (pathname then only names the run).
 */
export async function measureLoad(label: string, port: number, pathname: string, options: LoadOptions = DEFAULT_LOAD, mix?: readonly string[]): Promise<LoadResult> {
  const url = `http://${HOST}:${port}${mix ? '' : pathname}`;
  if (options.warmupSeconds > 0) assertAllOk(`${label} (warm-up)`, url, await runOnce(url, options.connections, options.warmupSeconds, mix));
  const outcome = await runOnce(url, options.connections, options.durationSeconds, mix);
  assertAllOk(label, url, outcome);
  const { result, latencies } = outcome;
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    rps: requests / result.duration,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    bytesPerResponse: result.throughput.total / Math.max(1, requests),
  };
}

export function describeLoad(result: LoadResult): string {
  return `${fmt(result.rps)} req/s (${result.requests} requests in ${result.seconds} s), latency p50 ${fmt(result.p50Ms)} ms, ` +
    `p95 ${fmt(result.p95Ms)} ms, p99 ${fmt(result.p99Ms)} ms, ${Math.round(result.bytesPerResponse)} bytes/response`;
}
