/**
 * SAML key material: an RSA key and a self-signed certificate, read from PEM files, or generated at
 * first use for demo installations and kept under DATA_DIR (or only in memory for DATA_DIR=:memory:).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';

export interface KeyMaterial {
  privateKeyPem: string;
  certificatePem: string;
}

/** Reads a key and its certificate from PEM files. @throws when a file cannot be read. */
export async function readKeyMaterial(keyFile: string, certFile: string): Promise<KeyMaterial> {
  return { privateKeyPem: await readFile(keyFile, 'utf8'), certificatePem: await readFile(certFile, 'utf8') };
}

/** Generates an RSA-2048 key (node:crypto) and a self-signed SHA-256 certificate for ten years (node-forge). */
export function generateKeyMaterial(commonName: string): KeyMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // A positive serial number: the first hex digit below 8.
  cert.serialNumber = `1${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(cert.validity.notBefore.getTime() + 10 * 365 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(cert) };
}

/**
 * Returns the key material named `name` in `dir`, generating and storing it (key file mode 0600)
 * when it is not there yet; with `dir` null it is generated and kept in memory only.
 */
export async function loadOrCreateKeyMaterial(dir: string | null, name: string, commonName: string): Promise<KeyMaterial> {
  if (!dir) return generateKeyMaterial(commonName);
  const keyFile = path.join(dir, `${name}-key.pem`);
  const certFile = path.join(dir, `${name}-cert.pem`);
  if (existsSync(keyFile) && existsSync(certFile)) return readKeyMaterial(keyFile, certFile);
  const material = generateKeyMaterial(commonName);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write then rename, so that a concurrent start never reads half a file.
  const suffix = `.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(keyFile + suffix, material.privateKeyPem, { mode: 0o600 });
  await writeFile(certFile + suffix, material.certificatePem);
  await rename(certFile + suffix, certFile);
  await rename(keyFile + suffix, keyFile);
  return material;
}

/** The base64 body of a PEM certificate (as it appears in SAML metadata). */
export function certificateBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
