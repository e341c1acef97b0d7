/**
 * Encryption of personal data at rest: AES-256-GCM with a random nonce per value.
 * Stored form: `v1.<key id>.<base64url(nonce | tag | ciphertext)>`; the key id lets a later key
 * rotation tell which key a value was written with.
 */
import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes } from 'node:crypto';

export interface FieldCipher {
  encrypt(plaintext: string): string;
  /** @throws when the value was not written by this key or was tampered with. */
  decrypt(stored: string): string;
  encryptOptional(plaintext: string | null | undefined): string | null;
  decryptOptional(stored: string | null): string | null;
}

/** Creates a cipher for a 32-byte key. */
export function createFieldCipher(key: Buffer): FieldCipher {
  if (key.length !== 32) throw new Error('Field encryption key must be 32 bytes');
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  // A KeyObject made once: Node checks a raw Buffer key on every use, which costs about four times
  // the encryption of a short value itself.
  const secret = createSecretKey(key);
  const encrypt = (plaintext: string): string => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', secret, nonce);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${keyId}.${Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  };
  const decrypt = (stored: string): string => {
    const [version, storedKeyId, body] = stored.split('.');
    if (version !== 'v1' || body === undefined) throw new Error('Unknown encrypted value format');
    if (storedKeyId !== keyId) throw new Error(`Value was encrypted with key ${storedKeyId}, not ${keyId}`);
    const raw = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', secret, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  };
  return {
    encrypt,
    decrypt,
    encryptOptional: (p) => (p == null || p === '' ? null : encrypt(p)),
    decryptOptional: (s) => (s == null ? null : decrypt(s)),
  };
}
