/**
 * Staff learn by e-mail that an applicant wrote on a case (a reply in the case's mailbox thread,
 * the answer to a request for information included). Like the applicant's mailbox notice, the
 * e-mail carries no content: only the case reference and the link to the case page — no name, no
 * text, no subject of the message; the message itself is read on the platform.
 *
 * Who is told: the assignee; for an unassigned case, a small team as a whole, in a larger one only
 * its administrators (see `findStaffToTell`). Only active members of the case's own tenant.
 *
 * Not flooding: each recipient gets at most one e-mail per case within NOTICE_WINDOW_MS. What was
 * sent is known from the case trail, which already records comparable notices (the deadline
 * reminder, sent to the same staff): each notice appends a `case.staff_notified` entry naming the staff
 * ids, and a new message looks for such entries of the case in the window. That is a sliding
 * window (not fixed time slots, where two messages a minute apart may fall into two slots), needs
 * no new column, and is exact under concurrency: the applicant-message hook holds the case row
 * lock, so two messages on one case are handled one after the other and the second sees the first
 * one's entry.
 */
import type { Tx } from '../../platform/db/database.ts';
import { listRecentCaseActions, recordCaseAction } from '../case-trail/index.ts';
import { listActiveMembers, type StaffRecipient } from '../staff/index.ts';
import { CASE_ROLES } from './case-roles.ts';
import type { CasesDeps } from './cases.deps.ts';
import type { CaseRow } from './cases.repository.ts';

/** At most one e-mail per case and recipient within this time: several messages in a row give one. */
export const NOTICE_WINDOW_MS = 15 * 60_000;

/**
 * An unassigned case tells its tenant's whole case team only while the team is this small (a
 * municipality where everybody works from one inbox); a larger team would be flooded, so then only
 * the tenant administrators are told (they hand out the cases), and where even they are more than
 * this, nobody: the inbox's "answered" filter shows the case.
 */
export const MAX_UNASSIGNED_RECIPIENTS = 5;

/** The case trail action that records a notice (with the staff ids told). */
export const STAFF_NOTIFIED = 'case.staff_notified';

/** The staff page of the case, for e-mails (content-free: the id is no personal data). */
export function staffCaseLink(publicUrl: string, caseId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/verwaltung/vorgaenge/${caseId}`;
}

/** The e-mail's subject and text (German and English; the staff member's language is not stored). */
export function staffNoticeText(publicUrl: string, kase: Pick<CaseRow, 'id' | 'reference'>): { subject: string; text: string } {
  const link = staffCaseLink(publicUrl, kase.id);
  const minutes = Math.round(NOTICE_WINDOW_MS / 60_000);
  return {
    subject: `Neue Nachricht zum Vorgang ${kase.reference} / New message on case ${kase.reference}`,
    text: [
      'Guten Tag,',
      '',
      `zum Vorgang ${kase.reference} ist eine neue Nachricht eingegangen.`,
      `Bitte melden Sie sich an, um sie zu lesen: ${link}`,
      '',
      `A new message has arrived on case ${kase.reference}.`,
      `Please log in to read it: ${link}`,
      '',
      `Diese E-Mail wurde automatisch versandt. Weitere Nachrichten zu diesem Vorgang innerhalb von ${minutes} Minuten lösen keine weitere E-Mail aus.`,
      `This e-mail was sent automatically. Further messages on this case within ${minutes} minutes send no further e-mail.`,
    ].join('\n'),
  };
}

/**
 * The active case staff of the case's tenant to tell of something on the case: the assignee while
 * still an active member, else as for an unassigned case (see MAX_UNASSIGNED_RECIPIENTS). Also
 * used for the deadline reminder (cases.jobs.ts). Call in a transaction; addresses are never logged.
 */
export async function findStaffToTell(tx: Tx, kase: Pick<CaseRow, 'tenantId' | 'assigneeId'>): Promise<StaffRecipient[]> {
  if (kase.assigneeId) {
    const assignee = await listActiveMembers(tx, kase.tenantId, CASE_ROLES, { limit: 1, onlyIds: [kase.assigneeId] });
    if (assignee.length > 0) return assignee;
    // The assignee no longer works on the tenant's cases (removed from the staff): the message
    // still has to reach somebody, so the case counts as unassigned.
  }
  const team = await listActiveMembers(tx, kase.tenantId, CASE_ROLES, { limit: MAX_UNASSIGNED_RECIPIENTS + 1 });
  if (team.length <= MAX_UNASSIGNED_RECIPIENTS) return team;
  const admins = await listActiveMembers(tx, kase.tenantId, ['tenant_admin'], { limit: MAX_UNASSIGNED_RECIPIENTS + 1 });
  return admins.length <= MAX_UNASSIGNED_RECIPIENTS ? admins : [];
}

/**
 * Queues the content-free e-mail to each staff member to tell of a new applicant message on the
 * case, except those told about this case within the window; returns the ids of those e-mailed
 * (for `recordStaffNotice`). Call in the message's transaction with the case row locked. Addresses
 * are never logged.
 */
export async function queueStaffNotices(tx: Tx, deps: Pick<CasesDeps, 'mail' | 'publicUrl'>, kase: Pick<CaseRow, 'id' | 'tenantId' | 'reference' | 'assigneeId'>, now = new Date()): Promise<string[]> {
  const recipients = await findStaffToTell(tx, kase);
  if (recipients.length === 0) return [];
  const recent = await listRecentCaseActions(tx, kase.tenantId, kase.id, STAFF_NOTIFIED, new Date(now.getTime() - NOTICE_WINDOW_MS));
  const told = new Set(recent.flatMap((e) => String(e.details.staffIds ?? '').split(',')));
  const due = recipients.filter((r) => !told.has(r.id));
  const { subject, text } = staffNoticeText(deps.publicUrl, kase);
  for (const r of due) await deps.mail.queue(tx, { to: r.email, tenantId: kase.tenantId, subject, text });
  return due.map((r) => r.id);
}

/** Records in the case trail that the given staff were told of the message (ids only). */
export async function recordStaffNotice(tx: Tx, kase: Pick<CaseRow, 'id' | 'tenantId'>, staffIds: readonly string[], messageId: string): Promise<void> {
  if (staffIds.length === 0) return;
  await recordCaseAction(tx, {
    tenantId: kase.tenantId, caseId: kase.id, action: STAFF_NOTIFIED, actorType: 'system', actorId: null, trustLevel: null,
    details: { staffIds: staffIds.join(','), messageId },
  });
}
