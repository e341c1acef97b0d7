/**
 * Password hashing with argon2id (OWASP parameters: 19 MiB, 2 iterations).
 */
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { algorithm: 2 /* argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified against when the e-mail is unknown, so that the answer takes as long either way.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  return (dummyHash ??= hashPassword('no-such-account-placeholder'));
}

/** Shortest password accepted when one is set (NIST SP 800-63B: length, no composition rules). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export type PasswordProblem = 'staff.password.tooShort' | 'staff.password.tooLong' | 'staff.password.breached' | 'staff.password.containsEmail';

let breached: Set<string> | undefined;
/** The ~50,000 most common passwords from breaches (zxcvbn-ts' common list), lower case. */
async function breachedPasswords(): Promise<Set<string>> {
  if (!breached) {
    const { dictionary } = await import('@zxcvbn-ts/language-common');
    breached = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  }
  return breached;
}

/**
 * Why a new password is refused, or null when it is acceptable: at least 12 characters (counted as
 * Unicode code points), not in the list of breached passwords, not the e-mail address or its name part.
 */
export async function checkNewPassword(password: string, email?: string): Promise<PasswordProblem | null> {
  const length = [...password.normalize('NFC')].length;
  if (length < MIN_PASSWORD_LENGTH) return 'staff.password.tooShort';
  if (length > MAX_PASSWORD_LENGTH) return 'staff.password.tooLong';
  const lower = password.toLowerCase();
  if ((await breachedPasswords()).has(lower)) return 'staff.password.breached';
  if (email) {
    const local = email.toLowerCase().split('@')[0] ?? '';
    if (lower.includes(email.toLowerCase()) || (local.length >= 4 && lower.replace(/[^a-z]/g, '') === local.replace(/[^a-z]/g, ''))) return 'staff.password.containsEmail';
  }
  return null;
}
