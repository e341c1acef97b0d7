/**
 * The cases module's periodic jobs:
 * - deadline reminders: an open case whose statutory processing time runs out within the warning
 *   period gets one content-free e-mail (reference, date, link; German, then English) to the staff
 *   that notify-staff-of-message.ts tells of an applicant's message: the assignee while still an
 *   active member of the tenant, otherwise (unassigned, or the assignee left) a small case team or
 *   the tenant administrators, or nobody where even they are many (the inbox marks it overdue);
 * - request reminders: an open request for information due within three days gets one reminder
 *   in the applicant's mailbox (with the content-free e-mail notice);
 * - retention: closed cases older than the configured period are deleted with their application,
 *   evidence, notes, decision and mailbox thread; the deletion is logged in the case trail and the
 *   audit log (ids only).
 */
import { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import type { JobDefinition } from '../../platform/jobs/queue.ts';
import type { Schedule } from '../../platform/jobs/worker.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import { deleteApplicationRecord } from '../applications/index.ts';
import { recordCaseAction } from '../case-trail/index.ts';
import { caseThreadId, deleteCaseMailbox, postToApplicant, type MailboxDeps } from '../mailbox/index.ts';
import { claimReminder, claimRequestReminder, listCasesClosedBefore, listCasesDueSoon, listRequestsDueSoon } from './cases.repository.ts';
import { findStaffToTell, staffCaseLink } from './notify-staff-of-message.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 200;

export interface CaseJobsConfig {
  reminderDays: number;
  retentionDays: number;
  publicUrl: string;
}

/**
 * The deadline reminder's subject and text, German then English (the staff member's language is not
 * stored). `toAssignee` false: it goes to others because nobody (active) is assigned, which it says.
 */
export function deadlineReminderText(publicUrl: string, kase: { id: string; reference: string; dueAt: Date }, toAssignee: boolean): { subject: string; text: string } {
  const link = staffCaseLink(publicUrl, kase.id);
  const day = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(kase.dueAt);
  const dayEn = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(kase.dueAt);
  return {
    subject: `Frist läuft ab: Vorgang ${kase.reference} / Deadline approaching: case ${kase.reference}`,
    text: [
      'Guten Tag,',
      '',
      `die Bearbeitungsfrist des Vorgangs ${kase.reference} endet am ${day}.`,
      ...(toAssignee ? [] : ['Der Vorgang ist niemandem zugewiesen, der ihn bearbeiten kann.']),
      `Zum Vorgang: ${link}`,
      '',
      `The processing deadline of case ${kase.reference} ends on ${dayEn}.`,
      ...(toAssignee ? [] : ['The case is not assigned to anyone who can work on it.']),
      `Go to the case: ${link}`,
      '',
      'Diese E-Mail wurde automatisch versandt, einmal je Vorgang.',
      'This e-mail was sent automatically, once per case.',
    ].join('\n'),
  };
}

/** Sends the due reminders; returns to how many cases' staff an e-mail went. */
export async function sendDeadlineReminders(db: Db, mail: MailService, config: CaseJobsConfig, now = new Date()): Promise<number> {
  const due = await listCasesDueSoon(db, new Date(now.getTime() + config.reminderDays * DAY_MS), BATCH);
  let sent = 0;
  for (const c of due) {
    await db.transaction().execute(async (tx) => {
      if (!(await claimReminder(tx, c.id))) return;
      const recipients = await findStaffToTell(tx, c);
      const toAssignee = c.assigneeId !== null && recipients.length === 1 && recipients[0]!.id === c.assigneeId;
      const { subject, text } = deadlineReminderText(config.publicUrl, c, toAssignee);
      for (const r of recipients) await mail.queue(tx, { to: r.email, tenantId: c.tenantId, subject, text });
      await recordCaseAction(tx, {
        tenantId: c.tenantId, caseId: c.id, action: 'case.deadline_reminder', actorType: 'system', actorId: null, trustLevel: null,
        details: { dueAt: c.dueAt.toISOString(), staffIds: recipients.map((r) => r.id).join(',') },
      });
      if (recipients.length > 0) sent += 1;
    });
  }
  return sent;
}

const REQUEST_REMINDER_DAYS = 3;

/** Reminds applicants of requests for information that fall due soon; returns how many. */
export async function sendRequestReminders(db: Db, mailbox: MailboxDeps, now = new Date()): Promise<number> {
  const due = await listRequestsDueSoon(db, new Date(now.getTime() + REQUEST_REMINDER_DAYS * DAY_MS), BATCH);
  let sent = 0;
  for (const r of due) {
    const threadId = await caseThreadId(db, r.tenantId, r.caseId);
    await db.transaction().execute(async (tx) => {
      if (!threadId || !(await claimRequestReminder(tx, r.id))) return;
      const day = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(r.dueAt);
      const dayEn = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Berlin' }).format(r.dueAt);
      await postToApplicant(tx, mailbox, {
        tenantId: r.tenantId, threadId, kind: 'notice', senderStaffId: null,
        body: `Erinnerung: Die Frist für die Nachforderung zu Ihrem Antrag endet am ${day}. Bitte antworten Sie in diesem Postfach.\n\nReminder: the deadline of the request for information on your application ends on ${dayEn}. Please reply in this mailbox.`,
      });
      await recordCaseAction(tx, { tenantId: r.tenantId, caseId: r.caseId, action: 'case.request_reminder', actorType: 'system', actorId: null, trustLevel: null, details: { requestId: r.id } });
      sent += 1;
    });
  }
  return sent;
}

/** Deletes closed cases past the retention period; returns how many. */
export async function deleteExpiredCases(db: Db, config: CaseJobsConfig, now = new Date()): Promise<number> {
  const expired = await listCasesClosedBefore(db, new Date(now.getTime() - config.retentionDays * DAY_MS), BATCH);
  let deleted = 0;
  for (const c of expired) {
    await db.transaction().execute(async (tx) => {
      const mailbox = await deleteCaseMailbox(tx, c.tenantId, c.id);
      const removed = await deleteApplicationRecord(tx, c.tenantId, c.id);
      if (!removed) return;
      await recordCaseAction(tx, {
        tenantId: c.tenantId, caseId: c.id, action: 'case.deleted_after_retention', actorType: 'system', actorId: null, trustLevel: null,
        details: { reference: c.reference, retentionDays: config.retentionDays, messages: mailbox.messages, attachments: mailbox.attachments + removed.uploads },
      });
      await recordAudit(tx, { tenantId: c.tenantId, actorType: 'system', action: 'case.deleted_after_retention', subjectType: 'case', subjectId: c.id, details: { retentionDays: config.retentionDays } });
      deleted += 1;
    });
  }
  return deleted;
}

/** The job definitions and their schedules. */
export function casesJobs(mail: MailService, mailbox: MailboxDeps, config: CaseJobsConfig): { definitions: JobDefinition[]; schedules: Schedule[] } {
  const reminders: JobDefinition = {
    type: 'cases.deadline_reminders@1', payload: z.object({}).passthrough(),
    async handle(_payload, context) {
      await sendDeadlineReminders(context.db, mail, config);
      await sendRequestReminders(context.db, mailbox);
    },
  };
  const retention: JobDefinition = {
    type: 'cases.retention@1', payload: z.object({}).passthrough(),
    async handle(_payload, context) { await deleteExpiredCases(context.db, config); },
  };
  return { definitions: [reminders, retention], schedules: [{ definition: reminders, everyMs: 60 * 60 * 1000 }, { definition: retention, everyMs: 6 * 60 * 60 * 1000 }] };
}
