/**
 * A browser-like client over real HTTP (for flows where another party calls back, e.g. a payment
 * platform): keeps cookies, does not follow redirects by itself, submits forms with their CSRF token.
 */
import { parse, type HTMLElement } from 'node-html-parser';

export interface FetchResult {
  status: number;
  headers: Headers;
  body: string;
  location: string | null;
  doc(): HTMLElement;
}

export class FetchClient {
  readonly cookies = new Map<string, string>();
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  private absolute(url: string): string {
    return new URL(url, this.baseUrl).toString();
  }

  private async send(url: string, init: RequestInit): Promise<FetchResult> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(this.absolute(url), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> ?? {}), ...(cookie ? { cookie } : {}) } });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    const body = await response.text();
    return { status: response.status, headers: response.headers, body, location: response.headers.get('location'), doc: () => parse(body) };
  }

  get(url: string): Promise<FetchResult> {
    return this.send(url, { method: 'GET' });
  }

  post(url: string, form: Record<string, string>): Promise<FetchResult> {
    return this.send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }

  /** Loads `pageUrl`, then posts its POST form with the hidden fields, the CSRF token and `fields`. */
  async submit(pageUrl: string, fields: Record<string, string>): Promise<FetchResult> {
    const page = await this.get(pageUrl);
    const form = page.doc().querySelector('form[method="post"]');
    if (!form) throw new Error(`no POST form on ${pageUrl} (status ${page.status})`);
    const hidden: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
    return this.post(new URL(form.getAttribute('action') ?? pageUrl, this.absolute(pageUrl)).toString(), { ...hidden, ...fields });
  }
}
