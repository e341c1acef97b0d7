/**
 * Per-tenant data keys with envelope encryption, for bulk data at rest (uploads, mailbox messages
 * and attachments). Each tenant has numbered key versions in `tenant_data_keys`: a random 256-bit
 * AES key, stored wrapped by the master key (the field cipher, `DATA_ENCRYPTION_KEY`). New data is
 * encrypted with the newest version; rotation adds a version; older data stays readable and
 * `reencrypt` moves it to the newest version.
 *
 * Stored form (binary): "TK" | format 1 | key version (uint32 BE) | nonce (12) | GCM tag (16) | ciphertext.
 * The tenant id and a caller-chosen context (e.g. "uploads.content:<id>") are bound as additional
 * authenticated data, so a value cannot be moved to another tenant or another row unnoticed.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Db, Tx } from '../db/database.ts';
import type { FieldCipher } from './field-encryption.ts';

const MAGIC = Buffer.from('TK');
const FORMAT = 1;
const HEADER = 2 + 1 + 4;

export interface TenantKeys {
  /** Encrypts with the tenant's newest key (creating version 1 on first use). */
  encrypt(db: Db | Tx, tenantId: string, plaintext: Uint8Array, context: string): Promise<Uint8Array>;
  /** @throws when the value was written for another tenant or context, or was tampered with. */
  decrypt(db: Db | Tx, tenantId: string, stored: Uint8Array, context: string): Promise<Uint8Array>;
  encryptText(db: Db | Tx, tenantId: string, plaintext: string, context: string): Promise<Uint8Array>;
  decryptText(db: Db | Tx, tenantId: string, stored: Uint8Array, context: string): Promise<string>;
  /** Re-encrypts a value with the newest key; `null` when it already uses it. */
  reencrypt(db: Db | Tx, tenantId: string, stored: Uint8Array, context: string): Promise<Uint8Array | null>;
  /** Adds a new key version and returns it; new data uses it from now on. */
  rotate(db: Db | Tx, tenantId: string): Promise<number>;
  /** The newest key version (creating version 1 on first use). */
  currentVersion(db: Db | Tx, tenantId: string): Promise<number>;
  /** The key version a stored value was written with. @throws for a value not in this format. */
  versionOf(stored: Uint8Array): number;
}

/** Creates the key service; unwrapped keys are cached per (tenant, version), which never change. */
export function createTenantKeys(masterCipher: FieldCipher): TenantKeys {
  const cache = new Map<string, KeyObject>();

  async function newestVersion(db: Db | Tx, tenantId: string): Promise<number | null> {
    const row = await db.selectFrom('tenant_data_keys').select((eb) => eb.fn.max('version').as('version'))
      .where('tenant_id', '=', tenantId).executeTakeFirst();
    return row?.version == null ? null : Number(row.version);
  }

  async function addVersion(db: Db | Tx, tenantId: string, version: number): Promise<void> {
    const key = randomBytes(32);
    await db.insertInto('tenant_data_keys')
      .values({ tenant_id: tenantId, version, wrapped_key: masterCipher.encrypt(key.toString('base64')) })
      .onConflict((oc) => oc.doNothing()).execute();
  }

  async function currentVersion(db: Db | Tx, tenantId: string): Promise<number> {
    const version = await newestVersion(db, tenantId);
    if (version !== null) return version;
    await addVersion(db, tenantId, 1);
    return (await newestVersion(db, tenantId))!;
  }

  async function keyOf(db: Db | Tx, tenantId: string, version: number): Promise<KeyObject> {
    const cacheKey = `${tenantId}:${version}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    const row = await db.selectFrom('tenant_data_keys').select('wrapped_key')
      .where('tenant_id', '=', tenantId).where('version', '=', version).executeTakeFirst();
    if (!row) throw new Error(`No data key version ${version} for this tenant`);
    // Kept as a KeyObject: Node checks a raw Buffer key again on every use.
    const key = createSecretKey(Buffer.from(masterCipher.decrypt(row.wrapped_key), 'base64'));
    cache.set(cacheKey, key);
    return key;
  }

  const aad = (tenantId: string, context: string): Buffer => Buffer.from(`${tenantId}\n${context}`, 'utf8');

  function versionOf(stored: Uint8Array): number {
    const buffer = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    if (buffer.length < HEADER + 28 || !buffer.subarray(0, 2).equals(MAGIC) || buffer[2] !== FORMAT) {
      throw new Error('Unknown tenant-encrypted value format');
    }
    return buffer.readUInt32BE(3);
  }

  async function encryptWith(db: Db | Tx, tenantId: string, version: number, plaintext: Uint8Array, context: string): Promise<Uint8Array> {
    const key = await keyOf(db, tenantId, version);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(aad(tenantId, context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header[2] = FORMAT;
    header.writeUInt32BE(version, 3);
    return new Uint8Array(Buffer.concat([header, nonce, cipher.getAuthTag(), ciphertext]));
  }

  async function decrypt(db: Db | Tx, tenantId: string, stored: Uint8Array, context: string): Promise<Uint8Array> {
    const version = versionOf(stored);
    const buffer = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    const key = await keyOf(db, tenantId, version);
    const decipher = createDecipheriv('aes-256-gcm', key, buffer.subarray(HEADER, HEADER + 12));
    decipher.setAAD(aad(tenantId, context));
    decipher.setAuthTag(buffer.subarray(HEADER + 12, HEADER + 28));
    return new Uint8Array(Buffer.concat([decipher.update(buffer.subarray(HEADER + 28)), decipher.final()]));
  }

  const encrypt = async (db: Db | Tx, tenantId: string, plaintext: Uint8Array, context: string): Promise<Uint8Array> =>
    encryptWith(db, tenantId, await currentVersion(db, tenantId), plaintext, context);

  return {
    encrypt,
    decrypt,
    encryptText: (db, tenantId, plaintext, context) => encrypt(db, tenantId, Buffer.from(plaintext, 'utf8'), context),
    decryptText: async (db, tenantId, stored, context) => Buffer.from(await decrypt(db, tenantId, stored, context)).toString('utf8'),
    async reencrypt(db, tenantId, stored, context) {
      const current = await currentVersion(db, tenantId);
      if (versionOf(stored) === current) return null;
      return encryptWith(db, tenantId, current, await decrypt(db, tenantId, stored, context), context);
    },
    async rotate(db, tenantId) {
      const next = ((await newestVersion(db, tenantId)) ?? 0) + 1;
      await addVersion(db, tenantId, next);
      return (await newestVersion(db, tenantId))!;
    },
    currentVersion,
    versionOf,
  };
}
