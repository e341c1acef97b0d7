/**
 * Named prepared statements (PostgreSQL server only): texts are prepared once per connection,
 * texts with `*` and texts beyond the per-connection limit run unnamed, and results are the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { planPerValue, preparingPool } from './prepared-statements.ts';

const url = process.env.TEST_DATABASE_URL;

test('prepares each text once per connection, leaves `*` and texts beyond the limit unnamed', { skip: url ? false : 'needs TEST_DATABASE_URL (a PostgreSQL server)' }, async () => {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const db = new Kysely<Record<string, never>>({ dialect: new PostgresDialect({ pool: preparingPool(pool, 2) }) });
  try {
    const prepared = async () => (await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements ORDER BY statement`.execute(db)).rows;
    for (let n = 0; n < 3; n++) assert.equal((await sql<{ v: number }>`SELECT ${n}::int + 1 AS v`.execute(db)).rows[0]!.v, n + 1);
    const afterOne = await prepared();
    assert.equal(afterOne.filter((p) => p.statement.includes('::int + 1')).length, 1, 'one statement for three executions of one text');
    assert.ok(afterOne.every((p) => p.name.startsWith('da_')));

    assert.equal((await sql<{ n: number }>`SELECT count(*)::int AS n FROM (VALUES (1), (2)) AS v(x)`.execute(db)).rows[0]!.n, 2);
    assert.ok(!(await prepared()).some((p) => p.statement.includes('count(*)')), 'a text with * is not prepared');

    assert.equal((await sql<{ v: number }>`SELECT ${5}::int * 0 + 7 AS v WHERE true ${planPerValue}`.execute(db)).rows[0]!.v, 7);
    assert.ok(!(await prepared()).some((p) => p.statement.includes('+ 7')), 'a text marked planPerValue is not prepared');

    // The limit is 2 (the pg_prepared_statements query itself is the second): a further text runs unnamed and still answers.
    assert.equal((await sql<{ v: string }>`SELECT ${'x'}::text || 'y' AS v`.execute(db)).rows[0]!.v, 'xy');
    assert.ok(!(await prepared()).some((p) => p.statement.includes("|| 'y'")), 'beyond the limit: unnamed');
  } finally {
    await db.destroy();
  }
});
