/**
 * Rate-limit counters in PostgreSQL so that every app instance sees the same count
 * (fixed window per key; the upsert is atomic under concurrent requests).
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Returns a store class for @fastify/rate-limit bound to a database. */
export function pgRateLimitStore(db: Db, namespace = 'global') {
  return class PgRateLimitStore {
    readonly namespace: string;
    constructor(_options?: unknown, childNamespace?: string) {
      this.namespace = childNamespace ?? namespace;
    }
    incr(key: string, callback: Callback, timeWindow: number): void {
      incrementBucket(db, `${this.namespace}:${key}`, timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }
    // At run time @fastify/rate-limit passes the route as `routeInfo` (its types say the route
    // options themselves): either way, one bucket per limited route.
    child(options: { method?: string | string[]; url?: string; routeInfo?: { method?: string | string[]; url?: string } }) {
      const route = options.routeInfo ?? options;
      return new PgRateLimitStore(undefined, `${[route.method].flat().join(',')} ${route.url ?? ''}`);
    }
  };
}

/** Counts one hit for `key` in its current window; opens a new window when the old one has passed. */
export async function incrementBucket(db: Db, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const interval = `${Math.max(1, Math.round(windowMs))} milliseconds`;
  const row = await sql<{ hits: number; ttl_ms: number }>`
    INSERT INTO rate_limit_buckets AS b (key, hits, resets_at)
    VALUES (${key}, 1, now() + ${interval}::interval)
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN b.resets_at <= now() THEN 1 ELSE b.hits + 1 END,
      resets_at = CASE WHEN b.resets_at <= now() THEN now() + ${interval}::interval ELSE b.resets_at END
    RETURNING hits, (extract(epoch FROM (resets_at - now())) * 1000)::int AS ttl_ms`.execute(db);
  const result = row.rows[0];
  if (!result) throw new Error('rate limit upsert returned no row');
  return { current: result.hits, ttl: Math.max(0, result.ttl_ms) };
}

/** Deletes windows that have passed (run by a periodic job). */
export async function deleteExpiredBuckets(db: Db): Promise<number> {
  const result = await db.deleteFrom('rate_limit_buckets').where('resets_at', '<', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
