/**
 * municipality-page: requests/s and p95 latency of a municipality page (Coburg, AGS 09463000) and of
 * the finder's search (/gemeinden?q=neustadt), app vs. a bare node:http server sending the same HTML.
 */
import { comparePageLoad } from './lib/page-load.ts';
import type { Benchmark } from './lib/types.ts';

export const benchmark: Benchmark = {
  name: 'municipality-page',
  description: 'GET /gemeinden/09463000 and /gemeinden?q=neustadt — requests/s and p95 latency, app vs. bare node:http',
  run: (ctx) => comparePageLoad(ctx, [
    { name: 'municipality-page', path: '/gemeinden/09463000' },
    { name: 'municipality-search', path: '/gemeinden?q=neustadt' },
  ]),
};
