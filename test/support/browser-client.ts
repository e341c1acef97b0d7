/**
 * A browser-like client over fetch for login flows over real HTTP: keeps cookies (ignoring their
 * paths), does not follow redirects by itself, parses the HTML, submits forms with their hidden fields.
 */
import assert from 'node:assert/strict';
import { parse, type HTMLElement } from 'node-html-parser';

export interface Page { status: number; location: string | null; body: string; doc: HTMLElement; url: string }

export class BrowserClient {
  readonly cookies = new Map<string, string>();
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  async request(url: string, init: RequestInit = {}): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const target = new URL(url, this.base);
    const res = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const [name = '', ...value] = pair.split('=');
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a)) || value.join('=') === '';
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    const body = await res.text();
    return { status: res.status, location: res.headers.get('location'), body, doc: parse(body), url: target.href };
  }

  get(url: string): Promise<Page> {
    return this.request(url);
  }

  post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.request(url, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Submits a form of the page with its hidden fields (and the given ones). */
  submit(page: Page, selector: string, fields: Record<string, string> = {}): Promise<Page> {
    const form = page.doc.querySelector(selector);
    assert.ok(form, `form ${selector} on the page:\n${page.body.slice(0, 800)}`);
    const hidden: Record<string, string> = {};
    for (const input of form.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
    return this.post(new URL(form.getAttribute('action') ?? '', page.url).href, { ...hidden, ...fields });
  }

  /** Follows redirects (GET) until a page answers without one, at most `max` hops. */
  async follow(page: Page, max = 10): Promise<Page> {
    let current = page;
    for (let i = 0; i < max && current.status >= 300 && current.status < 400 && current.location; i++) {
      current = await this.get(new URL(current.location, current.url).href);
    }
    return current;
  }
}
