/** start-page: requests/s and p95 latency of GET / on the app vs. a bare node:http server sending the same HTML. */
import { comparePageLoad } from './lib/page-load.ts';
import type { Benchmark } from './lib/types.ts';

export const benchmark: Benchmark = {
  name: 'start-page',
  description: 'GET / — requests/s and p95 latency, app vs. bare node:http with the same HTML',
  run: (ctx) => comparePageLoad(ctx, [{ name: 'start-page', path: '/' }]),
};
