/**
 * Drafts expire after DRAFT_RETENTION_DAYS without a change. Some days before, the owner gets a
 * notice in the mailbox from the authority (with the mailbox's content-free e-mail), or, where no
 * mailbox is wired, an e-mail without content; at expiry the draft is deleted. Runs hourly; claiming with SKIP LOCKED lets several instances share the work.
 */
import { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db, Tx } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/queue.ts';
import type { Schedule } from '../../platform/jobs/worker.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import { deleteUploadsOfOwner } from '../../platform/uploads/index.ts';
import { loadCitizenProfile } from '../identity/index.ts';
import { claimDraftsForExpiryNotice, deleteExpiredDrafts } from './applications.repository.ts';

/** Puts a notice into the owner's mailbox (the mailbox module's `sendNotice`, wired in app.ts). */
export type MailboxNotice = (tx: Tx, notice: { tenantId: string; accountId: string | null; organisationId: string | null; subject: string; body: string }) => Promise<unknown>;

export interface ExpireDraftsDeps {
  cipher: FieldCipher;
  mail: MailService;
  noticeDays: number;
  publicUrl: string;
  mailboxNotice?: MailboxNotice;
}

const BATCH = 200;

/** Sends due notices and deletes expired drafts; returns the counts. */
export async function expireDrafts(db: Db, deps: ExpireDraftsDeps, now = new Date()): Promise<{ noticed: number; deleted: number }> {
  let noticed = 0;
  if (deps.noticeDays > 0) {
    const before = new Date(now.getTime() + deps.noticeDays * 24 * 3600 * 1000);
    for (;;) {
      const batch = await db.transaction().execute(async (tx) => {
        const drafts = await claimDraftsForExpiryNotice(tx, before, BATCH);
        for (const draft of drafts) {
          const date = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(draft.expiresAt);
          if (deps.mailboxNotice) {
            const dateEn = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(draft.expiresAt);
            await deps.mailboxNotice(tx, {
              tenantId: draft.tenantId, accountId: draft.accountId, organisationId: draft.organisationId,
              subject: `Angefangener Antrag: ${draft.procedureName}`,
              body: [
                `Ihr angefangener Antrag „${draft.procedureName}“ wird am ${date} gelöscht, wenn Sie ihn bis dahin nicht weiterbearbeiten.`,
                `Weitermachen: ${deps.publicUrl}/antraege`, '',
                `Your unfinished application "${draft.procedureName}" will be deleted on ${dateEn} unless you continue it.`,
              ].join('\n'),
            });
            continue;
          }
          const profile = draft.accountId ? await loadCitizenProfile(tx, deps.cipher, draft.accountId) : undefined;
          if (!profile?.email) continue;
          await deps.mail.queue(tx, {
            to: profile.email, tenantId: draft.tenantId,
            subject: 'Ein angefangener Antrag wird bald gelöscht / An unfinished application will soon be deleted',
            text: [
              'Guten Tag,', '', `ein angefangener Antrag in Ihrem Konto wird am ${date} gelöscht, wenn Sie ihn bis dahin nicht weiterbearbeiten.`,
              `Weitermachen: ${deps.publicUrl}/antraege`, '',
              'Hello,', '', `an unfinished application in your account will be deleted on ${date} unless you continue it.`,
              `Continue: ${deps.publicUrl}/antraege`,
            ].join('\n'),
          });
        }
        return drafts.length;
      });
      noticed += batch;
      if (batch < BATCH) break;
    }
  }
  const deleted = await db.transaction().execute(async (tx) => {
    const drafts = await deleteExpiredDrafts(tx, now);
    for (const d of drafts) await deleteUploadsOfOwner(tx, d.tenantId, 'application', d.id);
    if (drafts.length > 0) await recordAudit(tx, { actorType: 'system', action: 'application.drafts_expired', details: { count: drafts.length } });
    return drafts.length;
  });
  return { noticed, deleted };
}

/** The hourly job. */
export function createExpireDraftsJob(deps: ExpireDraftsDeps): JobDefinition {
  return {
    type: 'applications.expire-drafts@1',
    payload: z.object({}),
    maxAttempts: 3,
    async handle(_payload, { db }) {
      await expireDrafts(db, deps);
    },
  };
}

/** Every hour. */
export function applicationsSchedules(expireDraftsJob: JobDefinition): Schedule[] {
  return [{ definition: expireDraftsJob, everyMs: 60 * 60_000 }];
}
