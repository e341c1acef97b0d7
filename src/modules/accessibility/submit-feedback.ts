/**
 * Stores a piece of accessibility feedback (encrypted) and, in the same transaction, queues the
 * notice to the feedback team and the acknowledgement to the sender. Neither mail repeats what
 * was written: they carry only the reference.
 */
import { randomBytes } from 'node:crypto';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Translate } from '../../platform/i18n/i18n.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import type { FeedbackInput } from './accessibility.schemas.ts';
import { insertFeedback } from './accessibility.repository.ts';

// No 0/O/1/I: references are read out over the phone.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A reference such as `BF-7K2M-Q9XD`. */
export function newFeedbackReference(): string {
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
  return `BF-${chars.slice(0, 4)}-${chars.slice(4, 8)}`;
}

export interface FeedbackDeps {
  db: Db;
  cipher: FieldCipher;
  mail: MailService;
  feedbackEmail: string | undefined;
}

/** Stores the feedback; returns its reference. */
export async function submitFeedback(deps: FeedbackDeps, input: FeedbackInput, locale: string, t: Translate): Promise<string> {
  const reference = newFeedbackReference();
  await deps.db.transaction().execute(async (tx) => {
    await insertFeedback(tx, {
      reference,
      category: input.category,
      pageUrl: input.pageUrl || null,
      messageEnc: deps.cipher.encrypt(input.message),
      contactNameEnc: deps.cipher.encryptOptional(input.name),
      contactEmailEnc: deps.cipher.encryptOptional(input.email),
      locale,
    });
    if (deps.feedbackEmail) {
      await deps.mail.queue(tx, {
        to: deps.feedbackEmail,
        subject: `Neue Rückmeldung zur Barrierefreiheit ${reference}`,
        text: `Über das Portal ist eine Rückmeldung zur Barrierefreiheit eingegangen.\nReferenz: ${reference}\n\nDer Inhalt ist im Betriebsbereich des Portals einsehbar.`,
      });
    }
    if (input.email) {
      await deps.mail.queue(tx, {
        to: input.email,
        subject: t('feedback.ackMail.subject', { reference }),
        text: t('feedback.ackMail.text', { reference }),
      });
    }
  });
  return reference;
}
