/**
 * Helpers for page tests through `inject`: parse HTML, carry cookies, submit forms with their CSRF token.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parse, type HTMLElement } from 'node-html-parser';

export function html(response: LightMyRequestResponse): HTMLElement {
  return parse(response.body);
}

/** A file in a multipart upload. */
export interface UploadFile {
  /** The form field's name. */
  field: string;
  /** The file name the browser sends. */
  name: string;
  content: Uint8Array | string;
  type?: string;
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
  async post(url: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const pairs = Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((item) => [k, item]) : [[k, v]]));
    const response = await this.server.inject({
      method: 'POST', url, remoteAddress: this.remoteAddress, payload: new URLSearchParams(pairs).toString(),
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
    this.remember(response);
    return response;
  }

  /** Posts a multipart/form-data body (fields and files), as a browser does for a form with a file input. */
  async postMultipart(url: string, fields: Record<string, string>, files: ({ field: string; fileName: string; type?: string; bytes: Uint8Array } | UploadFile)[] = [], headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const { body, contentType } = multipartBody(fields, files.map((f) => ('bytes' in f ? f : {
      field: f.field, fileName: f.name, ...(f.type ? { type: f.type } : {}), bytes: typeof f.content === 'string' ? Buffer.from(f.content) : f.content,
    })));
    const response = await this.server.inject({
      method: 'POST', url, remoteAddress: this.remoteAddress, payload: body,
      headers: { ...headers, 'content-type': contentType, ...(cookie ? { cookie } : {}) },
    });
    this.remember(response);
    return response;
  }

  /** Loads the page with the (multipart) form, takes its CSRF token, and posts the form with the given files. */
  async submitMultipart(pageUrl: string, files: UploadFile[], fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    const form = html(page).querySelector('form[enctype="multipart/form-data"]');
    if (!form) throw new Error(`no multipart form on ${pageUrl}`);
    const token = form.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (!token) throw new Error(`form on ${pageUrl} has no CSRF token`);
    return this.postMultipart(form.getAttribute('action') ?? pageUrl, { _csrf: token, ...fields }, files);
  }

  /** Loads the page with the form, takes its CSRF token, and posts the form with the given fields. */
  async submit(pageUrl: string, fields: Record<string, string | string[]>, formAction?: string): Promise<LightMyRequestResponse> {
    const page = await this.get(pageUrl);
    const doc = html(page);
    // A GET form (a filter, a chooser) may share the action: the POST form is the one submitted.
    const form = formAction ? doc.querySelector(`form[method="post"][action="${formAction}"]`) ?? doc.querySelector(`form[action="${formAction}"]`) : doc.querySelector('form[method="post"]');
    if (!form) throw new Error(`no POST form on ${pageUrl}`);
    const token = form.querySelector('input[name="_csrf"]')?.getAttribute('value');
    if (!token) throw new Error(`form on ${pageUrl} has no CSRF token`);
    const hidden: Record<string, string> = {};
    // As a browser does: disabled inputs (those of questions hidden by a condition) are not sent.
    for (const input of form.querySelectorAll('input[type="hidden"]:not([disabled])')) hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
    return this.post(form.getAttribute('action') ?? pageUrl, { ...hidden, ...fields, _csrf: token });
  }
}

/** Encodes fields and files as multipart/form-data (RFC 7578). */
export function multipartBody(fields: Record<string, string>, files: { field: string; fileName: string; type?: string; bytes: Uint8Array }[]): { body: Buffer; contentType: string } {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.fileName}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(Buffer.from(file.bytes), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
