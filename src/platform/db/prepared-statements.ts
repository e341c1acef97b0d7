/**
 * Named prepared statements on the PostgreSQL server: each SQL text that Kysely sends is parsed
 * and planned once per connection, then only bound and executed. Measured on a submission, parse
 * and plan of unnamed statements were more than half of the server's time (planning the draft's
 * seven-table read alone 0.5 ms). The JDBC driver and Npgsql prepare automatically for the same reason.
 *
 * - Texts with `*` stay unnamed: their result columns come from the table, and when a migration
 *   adds a column while this instance runs (a rolling deploy), a cached plan of such a statement
 *   fails with "cached plan must not change result type".
 * - Texts marked with `planPerValue` stay unnamed: after five executions PostgreSQL may keep one
 *   generic plan for every parameter value, and where the best plan depends on the value (a
 *   search in a GIN-indexed array: rare terms want the index, common ones do not) the generic one
 *   can be several times slower (the inbox's name search at 1,000,000 cases: 8.7 ms instead of 2.4).
 * - At most `maxPerConnection` names per connection (server memory); further texts run unnamed.
 * - A statement that failed with a stale cached plan anyway (a column's type changed) runs
 *   unnamed on that connection from then on; the failed call still reports its error.
 * - Off (`DATABASE_PREPARED_STATEMENTS=false`) behind a connection pooler that does not keep
 *   prepared statements per client (PgBouncer before 1.21 in transaction mode).
 */
import { createHash } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { sql } from 'kysely';

const PLAN_PER_VALUE = '/* plan per value */';

/** Put into a query whose best plan depends on its parameter values: it is then planned on every execution. */
export const planPerValue = sql.raw(PLAN_PER_VALUE);

interface ConnectionStatements {
  named: Set<string>;
  unnamed: Set<string>;
}

export function preparingPool(pool: pg.Pool, maxPerConnection = 500): PostgresPool {
  const perConnection = new WeakMap<pg.PoolClient, ConnectionStatements>();
  // Text → name, so that a text is hashed once per instance (bounded: a new text beyond it is hashed each time).
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (!name) {
      name = `da_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      if (names.size < 10_000) names.set(text, name);
    }
    return name;
  };

  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let statements = perConnection.get(client);
      if (!statements) perConnection.set(client, statements = { named: new Set(), unnamed: new Set() });
      const known = statements;
      const run = async <R>(text: string, values: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> => {
        const name = nameOf(text);
        const prepare = !text.includes('*') && !text.includes(PLAN_PER_VALUE) && !known.unnamed.has(name) && (known.named.has(name) || known.named.size < maxPerConnection);
        if (!prepare) return client.query(text, values as unknown[]) as unknown as Promise<PostgresQueryResult<R>>;
        known.named.add(name);
        try {
          return await (client.query({ name, text, values: values as unknown[] }) as unknown as Promise<PostgresQueryResult<R>>);
        } catch (error) {
          if ((error as { code?: string }).code === '0A000' && /cached plan/i.test((error as Error).message)) known.unnamed.add(name);
          throw error;
        }
      };
      return {
        query: ((textOrCursor: string | PostgresCursor<unknown>, values?: ReadonlyArray<unknown>) =>
          typeof textOrCursor === 'string' ? run(textOrCursor, values ?? []) : client.query(textOrCursor as never)) as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}
