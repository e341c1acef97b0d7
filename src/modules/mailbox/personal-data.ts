/**
 * The mailbox part of "download my data" (GDPR Art. 15/20) and of account deletion: the person's own
 * threads (not those of an organisation they act for) with every message, decrypted, and the names
 * of the attachments. On deletion, general threads (no case) go with their attachments; case threads
 * stay with the authority as part of its case file, without the link to the account,
 * until the case's retention period ends.
 */
import type { Tx } from '../../platform/db/database.ts';
import { registerPersonalDataSection, type PersonalDataValue } from '../identity/index.ts';
import { deleteThreadRows, listGeneralThreadsOfAccount, listThreadsOfAccount, unlinkAccount } from './mailbox.repository.ts';
import type { MailboxDeps } from './mailbox.types.ts';
import { listThreadForStaff } from './read-threads.ts';

/** Registers the section; call once at start. */
export function registerMailboxPersonalData(deps: Pick<MailboxDeps, 'tenantKeys'>): void {
  registerPersonalDataSection('mailbox', async ({ db, accountId }) => {
    const out: PersonalDataValue[] = [];
    for (const row of await listThreadsOfAccount(db, accountId)) {
      const thread = await listThreadForStaff(db, deps, row.tenant_id, row.id);
      if (!thread) continue;
      out.push({
        authority: row.tenant_name, subject: thread.subject, startedAt: thread.createdAt, caseThread: thread.caseId !== null,
        messages: thread.messages.map((m) => ({
          direction: m.direction === 'to_applicant' ? 'from authority' : 'from you', kind: m.kind, sentAt: m.createdAt, text: m.body,
          trustLevel: m.trustLevel, readAt: m.readAt, retrievedAt: m.retrievedAt, attachments: m.attachments.map((a) => a.fileName),
        })),
      });
    }
    return out;
  }, {
    async erase(tx: Tx, accountId: string) {
      for (const thread of await listGeneralThreadsOfAccount(tx, accountId)) await deleteThreadRows(tx, thread.tenant_id, thread.id);
      // The account row stays (anonymised), so the database does not clear the links itself.
      await unlinkAccount(tx, accountId);
    },
  });
}
