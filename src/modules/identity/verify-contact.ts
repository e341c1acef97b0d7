/**
 * Contact data given by the citizen, verified before it is used: an e-mail address through a link
 * with a single-use token (sent through the mail service), a phone number through a six-digit code
 * (sent as a text message). Tokens and codes are stored only as keyed hashes; a code allows five
 * tries and both expire.
 */
import { createHash, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { FieldCipher } from '../../platform/crypto/field-encryption.ts';
import type { Db } from '../../platform/db/database.ts';
import type { MailService } from '../../platform/mail/mail.ts';
import type { TextMessageSender } from '../../platform/sms/sms.ts';
import type { Translate } from '../../platform/i18n/i18n.ts';
import {
  countVerificationAttempt, deleteContactVerification, findContactVerification, putContactVerification, setContact, takeEmailVerificationByHash,
} from './account.repository.ts';

export const EMAIL_TOKEN_LIFETIME_MS = 24 * 3600_000;
export const PHONE_CODE_LIFETIME_MS = 15 * 60_000;
export const MAX_CODE_ATTEMPTS = 5;

export interface VerifyContactDeps {
  db: Db;
  cipher: FieldCipher;
  mail: MailService;
  sms: TextMessageSender | null;
  /** Key for the hashes of phone codes (derived from the data encryption key). */
  codeKey: Buffer;
}

/** The key for code hashes, derived (HKDF) from the data encryption key. */
export function deriveCodeKey(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'digitales-amt/contact-codes/v1', 32));
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Sends the verification link to the new address; the address is used only after the link was followed. */
export async function startEmailVerification(deps: VerifyContactDeps, input: { accountId: string; email: string; baseUrl: string; t: Translate; requestId: string }): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const link = `${input.baseUrl}/konto/kontakt/bestaetigen?token=${token}`;
  await deps.db.transaction().execute(async (tx) => {
    await putContactVerification(tx, {
      accountId: input.accountId, kind: 'email', valueEnc: deps.cipher.encrypt(input.email), secretHash: sha256(token), expiresAt: new Date(Date.now() + EMAIL_TOKEN_LIFETIME_MS),
    });
    await deps.mail.queue(tx, { to: input.email, subject: input.t('identity.contact.mail.subject'), text: input.t('identity.contact.mail.text', { link }) });
    await recordAudit(tx, { actorType: 'citizen', actorId: input.accountId, action: 'citizen.contact_verification_sent', details: { kind: 'email' }, requestId: input.requestId });
  });
}

/** Follows a link: the pending address becomes the contact address. Returns false for an unknown, used or expired token. */
export async function confirmEmail(deps: VerifyContactDeps, token: string, requestId: string): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await takeEmailVerificationByHash(tx, sha256(token));
    if (!row) return false;
    const account = await tx.selectFrom('citizen_accounts').select('id').where('id', '=', row.account_id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!account) return false;
    await setContact(tx, row.account_id, 'email', row.value_enc);
    await recordAudit(tx, { actorType: 'citizen', actorId: row.account_id, action: 'citizen.contact_verified', details: { kind: 'email' }, requestId });
    return true;
  });
}

/** Sends a six-digit code to the new number. @throws when no text message sender is configured. */
export async function startPhoneVerification(deps: VerifyContactDeps, input: { accountId: string; phone: string; t: Translate; requestId: string }): Promise<void> {
  const sms = deps.sms;
  if (!sms) throw new Error('no text message sender configured');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await deps.db.transaction().execute(async (tx) => {
    await putContactVerification(tx, {
      accountId: input.accountId, kind: 'phone', valueEnc: deps.cipher.encrypt(input.phone),
      secretHash: codeHash(deps.codeKey, input.accountId, code), expiresAt: new Date(Date.now() + PHONE_CODE_LIFETIME_MS),
    });
    await sms.send(tx, { to: input.phone, text: input.t('identity.contact.sms.text', { code }) });
    await recordAudit(tx, { actorType: 'citizen', actorId: input.accountId, action: 'citizen.contact_verification_sent', details: { kind: 'phone' }, requestId: input.requestId });
  });
}

function codeHash(key: Buffer, accountId: string, code: string): string {
  return createHmac('sha256', key).update(`${accountId}:${code}`).digest('hex');
}

export type ConfirmPhoneResult = { ok: true } | { ok: false; code: 'WRONG_CODE' | 'NO_PENDING' | 'TOO_MANY' };

/** Checks the code; the number becomes the contact number when it matches. */
export async function confirmPhone(deps: VerifyContactDeps, input: { accountId: string; code: string; requestId: string }): Promise<ConfirmPhoneResult> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await findContactVerification(tx, input.accountId, 'phone');
    if (!row || row.expires_at <= new Date()) return { ok: false, code: 'NO_PENDING' } as const;
    if (row.attempts >= MAX_CODE_ATTEMPTS) {
      await deleteContactVerification(tx, input.accountId, 'phone');
      return { ok: false, code: 'TOO_MANY' } as const;
    }
    if (row.secret_hash !== codeHash(deps.codeKey, input.accountId, input.code)) {
      const attempts = await countVerificationAttempt(tx, input.accountId, 'phone');
      if (attempts >= MAX_CODE_ATTEMPTS) await deleteContactVerification(tx, input.accountId, 'phone');
      return { ok: false, code: attempts >= MAX_CODE_ATTEMPTS ? 'TOO_MANY' : 'WRONG_CODE' } as const;
    }
    await deleteContactVerification(tx, input.accountId, 'phone');
    await setContact(tx, input.accountId, 'phone', row.value_enc);
    await recordAudit(tx, { actorType: 'citizen', actorId: input.accountId, action: 'citizen.contact_verified', details: { kind: 'phone' }, requestId: input.requestId });
    return { ok: true } as const;
  });
}
