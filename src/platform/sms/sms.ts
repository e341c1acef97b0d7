/**
 * Outgoing text messages (SMS) behind one interface. The only implementation here is the demo one:
 * the message is kept (encrypted) in the database for the operators' page /betrieb/sms, like the
 * captured demo mail. A real gateway is another implementation of `TextMessageSender`; without one
 * (production), features that need text messages are not offered.
 */
import type { FieldCipher } from '../crypto/field-encryption.ts';
import type { Db, Tx } from '../db/database.ts';

export interface TextMessage {
  /** Phone number in international form (+49…). */
  to: string;
  text: string;
}

export interface TextMessageSender {
  /** Sends (or records) the message within the caller's transaction. */
  send(db: Db | Tx, message: TextMessage): Promise<void>;
}

/** The demo sender: records the message for the operators' page instead of sending it. */
export function createCapturingTextMessageSender(cipher: FieldCipher): TextMessageSender {
  return {
    async send(db, message) {
      await db.insertInto('captured_text_messages').values({ to_enc: cipher.encrypt(message.to), body_enc: cipher.encrypt(message.text) }).execute();
    },
  };
}

export interface CapturedTextMessage { id: string; to: string; text: string; createdAt: Date }

/** The newest captured messages, decrypted, for the operators' page. */
export async function listCapturedTextMessages(db: Db, cipher: FieldCipher, limit = 50): Promise<CapturedTextMessage[]> {
  const rows = await db.selectFrom('captured_text_messages').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, to: cipher.decrypt(r.to_enc), text: cipher.decrypt(r.body_enc), createdAt: r.created_at }));
}
