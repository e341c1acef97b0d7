/**
 * Sessions live in PostgreSQL (table `sessions`), so any app instance can serve any request and
 * sessions survive restarts. The cookie carries only the signed session id.
 */
import type { Session } from 'fastify';
import type { Db } from '../db/database.ts';

type Callback = (error?: unknown) => void;
type GetCallback = (error: unknown, session?: Session | null) => void;

interface StoredSession {
  cookie?: { expires?: string | Date | null; originalMaxAge?: number | null };
  [key: string]: unknown;
}

const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;

/** A session store for @fastify/session backed by the `sessions` table. */
export class PgSessionStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  set(sessionId: string, value: object, callback: Callback): void {
    const session = value as StoredSession;
    const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + DEFAULT_TTL_MS);
    const data = JSON.stringify(session);
    this.#db
      .insertInto('sessions')
      .values({ id: sessionId, data, expires_at: expires })
      .onConflict((oc) => oc.column('id').doUpdateSet({ data, expires_at: expires }))
      .execute()
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: GetCallback): void {
    this.#db
      .selectFrom('sessions')
      .select(['data'])
      .where('id', '=', sessionId)
      .where('expires_at', '>', new Date())
      .executeTakeFirst()
      .then((row) => callback(null, row ? normalise(row.data) : null), (error) => callback(error));
  }

  destroy(sessionId: string, callback: Callback): void {
    this.#db.deleteFrom('sessions').where('id', '=', sessionId).execute().then(() => callback(), callback);
  }
}

// PGlite and node-postgres both parse jsonb; guard against a driver that hands back text.
function normalise(data: unknown): Session {
  return (typeof data === 'string' ? JSON.parse(data) : data) as Session;
}

/** Deletes expired sessions (run by a periodic job). */
export async function deleteExpiredSessions(db: Db): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<', new Date()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
