/**
 * For operators: liveness and readiness as JSON, and (platform operator only) the captured demo
 * mail and the accessibility feedback inbox.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Database } from '../../platform/db/database.ts';
import { pendingMigrations } from '../../platform/db/migrations.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { listRecentMails } from '../../platform/mail/mail.ts';
import { listFeedback } from '../accessibility/index.ts';
import { requirePlatformOperator } from '../staff/index.ts';

export async function operationsRoutes(app: FastifyInstance, { database, cipher }: { database: Database; cipher: FieldCipher }): Promise<void> {
  const { db } = database;

  app.get('/health', { config: { rateLimit: false } }, async (_req, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) }));

  app.get('/ready', { config: { rateLimit: false } }, async (req, reply) => {
    try {
      await sql`SELECT 1`.execute(db);
      const pending = await pendingMigrations(database);
      if (pending.length > 0) {
        return reply.code(503).send({ status: 'not_ready', database: database.kind, migrations: { pending } });
      }
      return reply.send({ status: 'ready', database: database.kind, migrations: { pending: [] } });
    } catch (error) {
      req.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'not_ready', database: database.kind, error: 'database_unreachable' });
    }
  });

  app.get('/betrieb/mails', async (req, reply) => {
    if (!requirePlatformOperator(req, reply)) return reply;
    return reply.page('modules/operations/views/mails.njk', { pageTitle: req.t('ops.mails.title'), mails: await listRecentMails(db, cipher) });
  });

  app.get<{ Params: { id: string } }>('/betrieb/mails/:id', async (req, reply) => {
    if (!requirePlatformOperator(req, reply)) return reply;
    const mail = (await listRecentMails(db, cipher, 500)).find((m) => m.id === req.params.id);
    if (!mail) throw new DomainError('NOT_FOUND');
    return reply.page('modules/operations/views/mail.njk', { pageTitle: mail.subject, mail });
  });

  app.get('/betrieb/rueckmeldungen', async (req, reply) => {
    if (!requirePlatformOperator(req, reply)) return reply;
    const rows = await listFeedback(db);
    const feedback = rows.map((r) => ({
      reference: r.reference, category: r.category, pageUrl: r.page_url, status: r.status, createdAt: r.created_at,
      message: cipher.decrypt(r.message_enc), name: cipher.decryptOptional(r.contact_name_enc), email: cipher.decryptOptional(r.contact_email_enc),
    }));
    return reply.page('modules/operations/views/feedback.njk', { pageTitle: req.t('ops.feedback.title'), feedback });
  });
}
