/**
 * Plain SQL migrations from `migrations/NNNN_name.sql`, applied in order, each in its own
 * transaction, under an advisory lock so that several instances starting at once apply each once.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

// Arbitrary constant shared by every instance of this application.
const MIGRATION_LOCK_ID = 4_711_2024;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Reads the migration files in order. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), 'utf8');
      return { name: file.replace(/\.sql$/, ''), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** A digest over all migrations: names a migrated template database. */
export async function migrationsDigest(dir = MIGRATIONS_DIR): Promise<string> {
  const hash = createHash('sha256');
  for (const m of await readMigrations(dir)) hash.update(`${m.name}:${m.checksum}\n`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * Applies pending migrations.
 * @returns the names of the migrations applied by this call.
 * @throws when an applied migration's file was changed afterwards (migrations are forward-only).
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return database.withScriptSession(async (s) => {
    await s.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await s.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const applied = new Map(
        (await s.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations')).map((r) => [r.name, r.checksum]),
      );
      const done: string[] = [];
      for (const m of migrations) {
        const checksum = applied.get(m.name);
        if (checksum !== undefined) {
          if (checksum !== m.checksum) throw new Error(`Migration ${m.name} was changed after it was applied; add a new migration instead`);
          continue;
        }
        await s.exec('BEGIN');
        try {
          await s.exec(m.sql);
          await s.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
          await s.exec('COMMIT');
        } catch (error) {
          await s.exec('ROLLBACK');
          throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
        }
        done.push(m.name);
      }
      return done;
    } finally {
      await s.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  });
}

/** Names of migration files not yet applied (empty when the schema is current). */
export async function pendingMigrations(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  const rows = await database.withScriptSession(async (s) => {
    const [table] = await s.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
    return table?.t ? s.query<{ name: string }>('SELECT name FROM schema_migrations') : [];
  });
  const applied = new Set(rows.map((r) => r.name));
  return migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
}
