/**
 * The one way tests log staff in: password, then the TOTP second factor, as a browser would.
 * Enrolled accounts (the demo staff) get the code computed from their stored secret; accounts
 * without a second factor are enrolled on the way (QR page -> secret from the page -> code), and
 * their recovery codes are returned.
 */
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed-demo-data.ts';
import { currentTotpCode } from '../../src/modules/staff/index.ts';
import { html, TestClient } from './http.ts';

export interface StaffLogin {
  client: TestClient;
  /** The answer to the last login step: 303 to `weiter` (or /verwaltung); after an enrolment, 303 to the recovery codes. */
  res: LightMyRequestResponse;
  /** The answer to the password step (400 when the password was refused). */
  passwordRes: LightMyRequestResponse;
  /** Recovery codes shown after an enrolment on the way. */
  recoveryCodes: string[];
}

/** The code the account's authenticator shows now (its secret decrypted from the database). */
export async function totpCodeFor(app: Pick<App, 'database' | 'cipher'>, email: string): Promise<string> {
  const row = await app.database.db.selectFrom('staff_accounts').select('totp_secret_enc').where('email', '=', email.toLowerCase()).executeTakeFirstOrThrow();
  if (!row.totp_secret_enc) throw new Error(`${email} has no TOTP secret`);
  return currentTotpCode(app.cipher.decrypt(row.totp_secret_enc));
}

/**
 * Tests log the same account in many times within one 30-second step; a real authenticator code
 * would be refused as replayed the second time. This forgets the last accepted step of one account
 * (the replay protection itself is tested without it).
 */
export async function forgetLastTotpStep(app: Pick<App, 'database'>, email: string): Promise<void> {
  await app.database.db.updateTable('staff_accounts').set({ totp_last_step: null }).where('email', '=', email.toLowerCase()).execute();
}

/**
 * Logs a staff member in through every step and returns the client holding the session.
 * Does not assert: a refused password ends after the first step (see `passwordRes`).
 */
export async function logInStaff(
  app: Pick<App, 'server' | 'database' | 'cipher'>,
  email: string,
  options: { password?: string; client?: TestClient; weiter?: string } = {},
): Promise<StaffLogin> {
  const client = options.client ?? new TestClient(app.server);
  const loginUrl = options.weiter ? `/verwaltung/anmelden?weiter=${encodeURIComponent(options.weiter)}` : '/verwaltung/anmelden';
  const passwordRes = await client.submit(loginUrl, { email, password: options.password ?? DEMO_PASSWORD });
  const next = passwordRes.headers.location;
  if (passwordRes.statusCode !== 303) return { client, res: passwordRes, passwordRes, recoveryCodes: [] };
  if (next === '/verwaltung/anmelden/code') {
    await forgetLastTotpStep(app, email);
    const res = await client.submit(next, { code: await totpCodeFor(app, email) });
    return { client, res, passwordRes, recoveryCodes: [] };
  }
  if (next === '/verwaltung/anmelden/einrichten') {
    const page = html(await client.get(next));
    const secret = page.querySelector('#totp-secret')?.text.replace(/\s+/g, '');
    if (!secret) throw new Error('the enrolment page shows no secret');
    const res = await client.submit(next, { code: currentTotpCode(secret) });
    const codesPage = res.statusCode === 303 ? html(await client.get(String(res.headers.location))) : null;
    return { client, res, passwordRes, recoveryCodes: codesPage?.querySelectorAll('.recovery-codes code').map((c) => c.text) ?? [] };
  }
  return { client, res: passwordRes, passwordRes, recoveryCodes: [] };
}
