/**
 * The e-mail notice of a new mailbox message. It carries no content: not the subject, not the
 * authority, not the text; only that there is a new message and the link to the mailbox, so that
 * nothing personal travels by e-mail. Sent to the person, or to each member of the organisation,
 * where they want such notices (their preference and address from the identity module).
 */
import type { Tx } from '../../platform/db/database.ts';
import { listMembersOfOrganisation, mailboxNoticeAddress } from '../identity/index.ts';
import type { MailboxDeps } from './mailbox.types.ts';

/** The notice's subject and text (German and English; the citizen's language is not stored). */
export function noticeText(publicUrl: string): { subject: string; text: string } {
  const link = `${publicUrl.replace(/\/+$/, '')}/postfach`;
  return {
    subject: 'Neue Nachricht in Ihrem Postfach / New message in your mailbox',
    text: [
      'Guten Tag,',
      '',
      'in Ihrem Postfach bei Digitales Amt Bayern liegt eine neue Nachricht für Sie.',
      `Bitte melden Sie sich an, um sie zu lesen: ${link}`,
      '',
      'There is a new message for you in your mailbox at Digitales Amt Bayern.',
      `Please log in to read it: ${link}`,
      '',
      'Diese E-Mail wurde automatisch versandt. Sie können diese Benachrichtigungen in Ihrem Konto abbestellen.',
    ].join('\n'),
  };
}

/**
 * Queues the notice for the thread's owner in the caller's transaction; returns how many mails.
 * Nobody to notify (account deleted, no address, notices turned off) is not an error.
 */
export async function queueMailboxNotices(
  tx: Tx, deps: Pick<MailboxDeps, 'cipher' | 'mail' | 'publicUrl'>,
  thread: { tenant_id: string; account_id: string | null; organisation_id: string | null },
): Promise<number> {
  const accountIds = thread.organisation_id
    ? (await listMembersOfOrganisation(tx, thread.organisation_id)).map((m) => m.accountId)
    : thread.account_id ? [thread.account_id] : [];
  const addresses = new Set<string>();
  for (const accountId of accountIds) {
    const address = await mailboxNoticeAddress(tx, deps.cipher, accountId);
    if (address) addresses.add(address.toLowerCase());
  }
  const { subject, text } = noticeText(deps.publicUrl);
  for (const to of addresses) await deps.mail.queue(tx, { to, subject, text, tenantId: thread.tenant_id });
  return addresses.size;
}
