/**
 * Helpers for page tests through `inject`: parse HTML, carry cookies, submit forms with their CSRF token.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parse, type HTMLElement } from 'node-html-parser';

export function html(response: LightMyRequestResponse): HTMLElement {
  return parse(response.body);
}

/** A browser-like client: keeps cookies between requests. */
export class TestClient {
  readonly cookies = new Map<string, string>();
  readonly server: FastifyInstance;
  /** The client's address as the server sees it (inject only; nothing is sent over a network). */
  readonly remoteAddress: string;
  constructor(server: FastifyInstance, remoteAddress = `192.0.2.${1 + Math.floor(Math.random() * 254)}`) {
    this.server = server;
    this.remoteAddress = remoteAddress;
  }

  private cookieHeader(): string | undefined {
    return this.cookies.size ? [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }

  private remember(response: LightMyRequestResponse): void {
    for (const c of response.cookies) {
      if (c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const response = await this.server.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    this.remember(response);
    return response;
  }

  /** Posts a urlencoded form; an array value sends the field once per item (checkboxes). */
  async post(url: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const pairs = Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((item) => [k, item]) : [[k, v]]));
    const response = await this.server.inject({
      method: 'POST', url, remoteAddress: this.remoteAddress, payload: new URLSearchParams(pairs).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
    this.remember(response);
    return response;
  }

  /** Loads the page with the form, takes its CSRF token, and posts the form with the given fields. */
  async submit(pageUrl: string, fields: Record<string, string | string[]>, formAction?: string): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    const doc = html(page);
    const form = formAction ? doc.querySelector(`form[action="${formAction}"]`) : doc.querySelector('form[method="post"]');
    if (!form) throw new Error(`no POST form on ${pageUrl}`);
    const token = form.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (!token) throw new Error(`form on ${pageUrl} has no CSRF token`);
    const hidden: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
    return this.post(form.getAttribute('action') ?? pageUrl, { ...hidden, ...fields, _csrf: token });
  }
}
