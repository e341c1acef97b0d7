/**
 * The database: embedded PGlite (a directory, or memory) by default, a PostgreSQL server through a
 * connection pool when a URL is given. Both speak the same SQL; callers see one Kysely instance.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { preparingPool } from './prepared-statements.ts';
import pg from 'pg';
import type { DB } from './schema.ts';

// Same value types on both drivers: int8 (counts, bigserial) and numeric as JS numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;

/** A session on one connection for scripts (migrations): multi-statement SQL and locks. */
export interface ScriptSession {
  /** Runs SQL that may hold several statements (no parameters). */
  exec(sql: string): Promise<void>;
  /** Runs one parameterised statement and returns its rows. */
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs `fn` on one dedicated connection (the only one, on PGlite). */
  withScriptSession<T>(fn: (session: ScriptSession) => Promise<T>): Promise<T>;
  /** PGlite only: the data directory as a tarball, used to clone migrated test databases. */
  dumpDataDir(): Promise<Blob>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL server URL; when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `null` keeps the database in memory. */
  dataDir?: string | null;
  /** PGlite: start from this data directory tarball (a migrated template). */
  loadDataDir?: Blob;
  poolSize?: number;
  /** PostgreSQL server: named prepared statements (default on; see prepared-statements.ts). */
  preparedStatements?: boolean;
  /** Called when an idle pooled connection fails (server restart, connection killed); the pool replaces it. */
  onConnectionError?: (error: Error) => void;
}

/** Opens the configured database. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10, options.preparedStatements ?? true, options.onConnectionError);
  return openPglite(options.dataDir ?? null, options.loadDataDir);
}

async function openPglite(dataDir: string | null, loadDataDir?: Blob): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  // Extensions the migrations create must be loaded into PGlite (a PostgreSQL server ships them).
  const pglite = await PGlite.create({ extensions: { pg_trgm }, ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}) });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  // PGlite has a single connection; Kysely's driver serialises access to it, and script sessions
  // go through a Kysely connection so they queue behind running queries instead of interleaving.
  return {
    db,
    kind: 'pglite',
    withScriptSession: (fn) =>
      db.connection().execute(() =>
        fn({
          exec: async (sql) => {
            await pglite.exec(sql);
          },
          query: async <R>(sql: string, params: unknown[] = []) => (await pglite.query<R>(sql, params)).rows,
        }),
      ),
    dumpDataDir: () => pglite.dumpDataDir('none'),
    close: async () => {
      await db.destroy();
    },
  };
}

async function openPostgres(url: string, poolSize: number, preparedStatements: boolean, onConnectionError?: (error: Error) => void): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'digitales-amt' });
  // Without a listener, an idle connection that the server closes would crash the process.
  pool.on('error', (error) => onConnectionError?.(error));
  // Fail at start, not on the first request, when the server is unreachable.
  const probe = await pool.connect();
  probe.release();
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparedStatements ? preparingPool(pool) : pool }) });
  return {
    db,
    kind: 'postgres',
    withScriptSession: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async <R>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as R[],
        });
      } finally {
        client.release();
      }
    },
    dumpDataDir: () => Promise.reject(new Error('dumpDataDir is only available on PGlite')),
    close: async () => {
      await db.destroy();
    },
  };
}
