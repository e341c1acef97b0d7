/**
 * Outgoing mail. A mail is stored (encrypted) and a `mail.send@1` job enqueued in the caller's
 * transaction; the job builds the message with nodemailer and sends it over SMTP, or, in demo
 * mode, keeps the finished message in the database for the operators' mail page.
 */
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { FieldCipher } from '../crypto/field-encryption.ts';
import type { Db, Tx } from '../db/database.ts';
import { randomUUID } from 'node:crypto';
import { jobWrite, type JobDefinition } from '../jobs/queue.ts';
import { writeTogether, type Write } from '../db/write-together.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  tenantId?: string | null;
}

export interface MailService {
  /** Stores the mail and enqueues its delivery in the given transaction. */
  queue(db: Db | Tx, mail: OutgoingMail): Promise<string>;
  /** The same as writes to send with others of the transaction (`writeTogether`), and the mail's id. */
  queueWrites(db: Db | Tx, mail: OutgoingMail): { id: string; writes: Write[] };
  /** The job that delivers queued mail. */
  sendJob: JobDefinition;
  /** Closes the SMTP connection pool. */
  close(): void;
}

export interface MailOptions {
  cipher: FieldCipher;
  from: string;
  /** SMTP server URL; without it mail is captured in the database (demo). */
  smtpUrl?: string | undefined;
}

/** Creates the mail service. */
export function createMailService({ cipher, from, smtpUrl }: MailOptions): MailService {
  const smtp = smtpUrl ? nodemailer.createTransport(smtpUrl) : undefined;
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  const sendJob: JobDefinition = {
    type: 'mail.send@1',
    payload: z.object({ mailId: z.uuid() }),
    maxAttempts: 10,
    async handle({ mailId }: { mailId: string }, { db }) {
      const row = await db.selectFrom('outbound_mails').selectAll().where('id', '=', mailId).executeTakeFirst();
      // Already delivered by an earlier attempt: nothing to do (the job may run more than once).
      if (!row || row.status !== 'queued') return;
      const message = {
        from,
        to: cipher.decrypt(row.recipient_enc),
        subject: cipher.decrypt(row.subject_enc),
        text: cipher.decrypt(row.text_enc),
        headers: { 'Auto-Submitted': 'auto-generated' },
      };
      if (smtp) {
        const info = await smtp.sendMail(message);
        await db.updateTable('outbound_mails')
          .set({ status: 'sent', transport: 'smtp', message_id: info.messageId, sent_at: new Date() })
          .where('id', '=', mailId).execute();
      } else {
        const info = await builder.sendMail(message);
        const raw = (info.message as Buffer).toString('utf8');
        await db.updateTable('outbound_mails')
          .set({ status: 'captured', transport: 'capture', message_id: info.messageId, raw_enc: cipher.encrypt(raw), sent_at: new Date() })
          .where('id', '=', mailId).execute();
      }
    },
  };

  const queueWrites = (db: Db | Tx, mail: OutgoingMail): { id: string; writes: Write[] } => {
    // The id is made here, so that the delivery job can name the mail in the same statement.
    const id = randomUUID();
    return {
      id,
      writes: [
        db.insertInto('outbound_mails').values({
          id,
          tenant_id: mail.tenantId ?? null,
          recipient_enc: cipher.encrypt(mail.to),
          subject_enc: cipher.encrypt(mail.subject),
          text_enc: cipher.encrypt(mail.text),
        }),
        jobWrite(db, sendJob, { mailId: id }, { tenantId: mail.tenantId ?? null, idempotencyKey: `mail:${id}` }),
      ],
    };
  };

  return {
    sendJob,
    queueWrites,
    async queue(db, mail) {
      const { id, writes } = queueWrites(db, mail);
      await writeTogether(db, writes);
      return id;
    },
    close: () => smtp?.close(),
  };
}

export interface CapturedMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  raw: string | null;
  status: string;
  createdAt: Date;
}

/** The newest mails, decrypted, for the operators' demo mail page. */
export async function listRecentMails(db: Db, cipher: FieldCipher, limit = 50): Promise<CapturedMail[]> {
  const rows = await db.selectFrom('outbound_mails').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    to: cipher.decrypt(r.recipient_enc),
    subject: cipher.decrypt(r.subject_enc),
    text: cipher.decrypt(r.text_enc),
    raw: cipher.decryptOptional(r.raw_enc),
    status: r.status,
    createdAt: r.created_at,
  }));
}
