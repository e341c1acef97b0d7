/**
 * Logs a citizen in through the whole SAML flow with the embedded demo identity provider (BundID
 * test persons), over `inject`: login page -> AuthnRequest -> demo IdP's choice -> signed response
 * -> assertion consumer. Returns the page the login ends on.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { html, type TestClient } from './http.ts';

/** Posts the form matching `selector` of `response` with its hidden fields plus `fields`. */
export async function submitFormOf(client: TestClient, response: LightMyRequestResponse, selector: string, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const form = html(response).querySelector(selector);
  assert.ok(form, `form ${selector} on the page (status ${response.statusCode}):\n${response.body.slice(0, 400)}`);
  const values: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) values[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
  return client.post(form.getAttribute('action') ?? '', { ...values, ...fields });
}

/** Logs in test person `person` (e.g. U01) at `level`; `returnTo` is where the login sends back to. */
export async function logInCitizen(client: TestClient, options: { person?: string; level?: 'niedrig' | 'substantiell' | 'hoch'; returnTo?: string } = {}): Promise<LightMyRequestResponse> {
  const level = options.level ?? 'substantiell';
  const login = await client.get(`/anmelden?niveau=${level}&weiter=${encodeURIComponent(options.returnTo ?? '/konto')}`);
  assert.equal(login.statusCode, 200);
  const toIdp = await submitFormOf(client, login, 'form[action="/anmelden/bundid"]');
  const choose = await submitFormOf(client, toIdp, 'form[data-auto-submit]');
  const answer = await submitFormOf(client, choose, 'form[action="/demo-idp/antwort"]', { person: options.person ?? 'U01', level });
  const acs = await submitFormOf(client, answer, 'form[data-auto-submit]');
  assert.equal(acs.statusCode, 303, acs.body.slice(0, 300));
  return acs;
}
