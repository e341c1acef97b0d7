/**
 * A database of its own on the PostgreSQL server the benchmarks are given (BENCH_DATABASE_URL, else
 * TEST_DATABASE_URL): created at the start, dropped at the end — also on errors and Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { onCleanup } from './processes.ts';

export interface ScratchDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Drops it (safe to call once; also runs at cleanup). */
  drop(): Promise<void>;
}

/** Creates `da_bench_<prefix>_<pid>_<random>`. @throws naming the variables when no server is configured. */
export async function createScratchDatabase(benchmark: string, prefix: string): Promise<ScratchDatabase> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    throw new Error(`${benchmark} needs a PostgreSQL server: set BENCH_DATABASE_URL (or TEST_DATABASE_URL), e.g. postgres://postgres@127.0.0.1:5432/postgres; it creates and drops a database of its own there`);
  }
  const name = `da_bench_${prefix}${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const drop = onCleanup(async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop };
}
