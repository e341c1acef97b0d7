/**
 * Where seal keys come from: the platform's seal (receipts) and one per tenant (decisions).
 *
 * Production: PEM files named in the configuration (`SEAL_KEY_FILE`/`SEAL_CERT_FILE`, and
 * `<slug>.key.pem`/`<slug>.cert.pem` in `SEAL_TENANT_KEY_DIR`); a certificate issued by the demo CA
 * is refused there. Demo: on first use a demo CA ("Digitales Amt Demo-CA — nur zum Testen") is
 * created and issues EC P-256 seal certificates naming the platform or the authority; these are
 * stored in `seal_keys` with the private key encrypted by the field cipher.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { SealConfig } from '../../config.ts';
import type { FieldCipher } from '../crypto/field-encryption.ts';
import type { Db } from '../db/database.ts';
import {
  certificateSubject, certificatesFromPem, certificateToPem, generateSealPrivateKey, issueCertificate, type SealKey,
} from './certificates.ts';

/** Common name of the demo CA; certificates under it are refused outside demo mode. */
export const DEMO_CA_NAME = 'Digitales Amt Demo-CA — nur zum Testen';
const DEMO_CA_ORGANISATION = 'Digitales Amt (Demo, kein Vertrauensdienst)';
const PLATFORM_SEAL_NAME = 'Digitales Amt';

export interface SealKeyStore {
  /** The platform's seal (receipts of submissions). @throws when none is configured. */
  platformKey(): Promise<SealKey>;
  /** The tenant's seal (decisions). @throws when the tenant is unknown or has no configured key. */
  tenantKey(tenantId: string): Promise<SealKey>;
  /** DER certificates of the CAs whose seals count as trusted (configured anchors; the demo CA in demo mode). */
  trustAnchors(): Promise<Uint8Array[]>;
}

export interface SealKeyStoreOptions {
  db: Db;
  cipher: FieldCipher;
  config: SealConfig;
}

function keyFromPem(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}

function loadKeyFiles(keyFile: string, certFile: string, demoAllowed: boolean): SealKey {
  const certificates = certificatesFromPem(readFileSync(certFile, 'utf8'));
  if (!demoAllowed && certificates.some((der) => certificateSubject(der).commonName === DEMO_CA_NAME)) {
    throw new Error(`${certFile}: a certificate of the demo CA cannot be used outside demo mode`);
  }
  return { privateKey: keyFromPem(readFileSync(keyFile, 'utf8')), certificates };
}

/** Creates the store; keys are loaded or created on first use and then kept in memory. */
export function createSealKeyStore({ db, cipher, config }: SealKeyStoreOptions): SealKeyStore {
  const cache = new Map<string, Promise<SealKey>>();
  const remember = (key: string, load: () => Promise<SealKey>): Promise<SealKey> => {
    let entry = cache.get(key);
    if (!entry) {
      entry = load();
      // A failed load is not cached: the next use tries again (e.g. after a file was provided).
      entry.catch(() => cache.delete(key));
      cache.set(key, entry);
    }
    return entry;
  };

  async function storedKey(purpose: 'demo_ca' | 'seal', tenantId: string | null): Promise<SealKey | undefined> {
    let query = db.selectFrom('seal_keys').select(['certificate_pem', 'private_key_enc']).where('purpose', '=', purpose);
    query = tenantId === null ? query.where('tenant_id', 'is', null) : query.where('tenant_id', '=', tenantId);
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    return { privateKey: keyFromPem(cipher.decrypt(row.private_key_enc)), certificates: certificatesFromPem(row.certificate_pem) };
  }

  async function storeKey(purpose: 'demo_ca' | 'seal', tenantId: string | null, key: SealKey): Promise<SealKey> {
    await db.insertInto('seal_keys').values({
      purpose,
      tenant_id: tenantId,
      certificate_pem: key.certificates.map(certificateToPem).join(''),
      private_key_enc: cipher.encrypt(key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
    }).onConflict((oc) => oc.doNothing()).execute();
    // Another instance may have been first: use whatever is stored.
    const stored = await storedKey(purpose, tenantId);
    if (!stored) throw new Error('Seal key was not stored');
    return stored;
  }

  const demoCa = (): Promise<SealKey> => remember('demo-ca', async () => {
    let ca = await storedKey('demo_ca', null);
    if (!ca) {
      const privateKey = generateSealPrivateKey();
      const certificate = await issueCertificate({
        subject: { commonName: DEMO_CA_NAME, organisation: DEMO_CA_ORGANISATION }, subjectKey: privateKey, ca: true, validDays: 3650,
      });
      ca = await storeKey('demo_ca', null, { privateKey, certificates: [certificate] });
    }
    // The certificate (public) also as a file, so that `npm run verify-pdf` can trust it without the database.
    if (config.demoCaFile && !existsSync(config.demoCaFile)) {
      mkdirSync(path.dirname(config.demoCaFile), { recursive: true });
      writeFileSync(config.demoCaFile, certificateToPem(ca.certificates[0]!));
    }
    return ca;
  });

  async function demoSealKey(tenantId: string | null, subject: { commonName: string; organisation: string }): Promise<SealKey> {
    const existing = await storedKey('seal', tenantId);
    if (existing) return existing;
    const ca = await demoCa();
    const privateKey = generateSealPrivateKey();
    const certificate = await issueCertificate({
      subject, subjectKey: privateKey, issuer: { certificate: ca.certificates[0]!, privateKey: ca.privateKey }, ca: false, validDays: 3 * 365,
    });
    return storeKey('seal', tenantId, { privateKey, certificates: [certificate, ca.certificates[0]!] });
  }

  return {
    platformKey: () => remember('platform', async () => {
      if (config.keyFile && config.certFile) return loadKeyFiles(config.keyFile, config.certFile, config.demoKeys);
      if (!config.demoKeys) throw new Error('No platform seal key configured (SEAL_KEY_FILE, SEAL_CERT_FILE)');
      return demoSealKey(null, { commonName: `${PLATFORM_SEAL_NAME} – Plattformsiegel (Demo)`, organisation: PLATFORM_SEAL_NAME });
    }),

    tenantKey: (tenantId) => remember(`tenant:${tenantId}`, async () => {
      const tenant = await db.selectFrom('tenants').select(['slug', 'name']).where('id', '=', tenantId).executeTakeFirst();
      if (!tenant) throw new Error('Unknown tenant for seal key');
      if (config.tenantKeyDir) {
        const keyFile = path.join(config.tenantKeyDir, `${tenant.slug}.key.pem`);
        const certFile = path.join(config.tenantKeyDir, `${tenant.slug}.cert.pem`);
        try {
          return loadKeyFiles(keyFile, certFile, config.demoKeys);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          if (!config.demoKeys) throw new Error(`No seal key configured for tenant ${tenant.slug}: ${keyFile} and ${certFile} are needed`);
        }
      }
      if (!config.demoKeys) throw new Error(`No seal key configured for tenant ${tenant.slug} (SEAL_TENANT_KEY_DIR)`);
      return demoSealKey(tenantId, { commonName: `${tenant.name} (Siegel, Demo)`, organisation: tenant.name });
    }),

    async trustAnchors() {
      const anchors = config.trustAnchorsFile ? certificatesFromPem(readFileSync(config.trustAnchorsFile, 'utf8')) : [];
      if (config.demoKeys) anchors.push((await demoCa()).certificates[0]!);
      return anchors;
    },
  };
}
