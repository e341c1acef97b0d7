/**
 * The second factor: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) through `otpauth`, its
 * enrolment QR code through `qrcode`, and one-time recovery codes. Pure functions; the use cases
 * store what these produce.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_PERIOD_S = 30;
const ISSUER = 'Digitales Amt';
export const RECOVERY_CODE_COUNT = 10;

function totpFor(secretBase32: string, label = ''): TOTP {
  return new TOTP({ issuer: ISSUER, label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S });
}

/** A new random TOTP secret (160 bits, as RFC 4226 recommends), base32. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, accountLabel: string): string {
  return totpFor(secretBase32, accountLabel).toString();
}

/** The QR code of `uri` as an SVG data URL (the CSP allows `data:` images only). */
export async function qrCodeDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** The current code for a secret (for tests and the demo documentation; the server never shows it). */
export function currentTotpCode(secretBase32: string, timestamp = Date.now()): string {
  return totpFor(secretBase32).generate({ timestamp });
}

/**
 * The time step a code belongs to when it is valid now (one step of clock drift either way), or
 * null. The caller refuses a step not later than the last one accepted (replay).
 */
export function matchTotpStep(secretBase32: string, code: string, timestamp = Date.now()): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secretBase32).validate({ token, timestamp, window: 1 });
  if (delta === null) return null;
  return TOTP.counter({ period: TOTP_PERIOD_S, timestamp }) + delta;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Ten new recovery codes, each 80 random bits as `xxxx-xxxx-xxxx-xxxx` (base32, lower case). */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((b) => BASE32[b & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** True when the input looks like a recovery code rather than a TOTP code. */
export function looksLikeRecoveryCode(input: string): boolean {
  return normaliseRecoveryCode(input).length === 16;
}

function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]+/g, '');
}

/** How a recovery code is stored: SHA-256 suffices for 80 random bits (no dictionary to try). */
export function hashRecoveryCode(input: string): string {
  return createHash('sha256').update(normaliseRecoveryCode(input)).digest('hex');
}
