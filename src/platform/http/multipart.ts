/**
 * Multipart forms (file uploads) on the web platform. `@fastify/multipart` is registered once,
 * globally, in `web.ts` with `attachFieldsToBody`, so that a multipart body is parsed before the
 * global CSRF check and the token travels as the ordinary form field `_csrf`. Modules must not
 * register the plugin again (its decorators would clash); they read the parsed form here.
 *
 * Only a route that declares `multipartRouteConfig(...)` in its `config` receives files; on other
 * routes file parts are drained unread. Files are read into memory only up to the size limit
 * (UPLOAD_MAX_BYTES, or the route's lower one), and at most UPLOAD_MAX_REQUEST_BYTES per request; a
 * longer file is cut there and marked `truncated`, so that `inspectUpload` refuses it as too large
 * without it ever being held whole.
 */
import type { FastifyRequest } from 'fastify';
import type { MultipartFile, MultipartValue } from '@fastify/multipart';

/** A file as received; `truncated` when it was longer than the size limit (its bytes are then incomplete). */
export interface ReceivedFile {
  fieldName: string;
  /** The name the browser sent, unchecked (sanitise before storing or showing). */
  fileName: string;
  /** The type the browser declared: for information only, never to decide anything. */
  declaredType: string;
  bytes: Uint8Array;
  truncated: boolean;
}

export interface MultipartForm {
  fields: Record<string, string | string[]>;
  files: ReceivedFile[];
}

interface ReadFilePart extends MultipartFile {
  received?: { bytes: Uint8Array; truncated: boolean };
}

/**
 * Makes the `onFile` handler that reads each file part. Only routes that declare
 * `multipartRouteConfig` accept files: elsewhere file parts are drained unread. A request holds at
 * most `maxRequestBytes` of files in memory; files beyond that are drained and marked truncated.
 */
export function createFileCollector(maxRequestBytes: number): (this: FastifyRequest, part: MultipartFile) => Promise<void> {
  const held = new WeakMap<FastifyRequest, number>();
  return async function collectFilePart(this: FastifyRequest, part: MultipartFile): Promise<void> {
    const accepts = this.routeOptions.config !== undefined && 'multipartOptions' in this.routeOptions.config;
    let total = held.get(this) ?? 0;
    const chunks: Buffer[] = [];
    let overflow = !accepts;
    for await (const chunk of part.file) {
      const buffer = chunk as Buffer;
      if (overflow || total + buffer.length > maxRequestBytes) {
        overflow = true;
        continue;
      }
      total += buffer.length;
      chunks.push(buffer);
    }
    held.set(this, total);
    (part as ReadFilePart).received = overflow
      ? { bytes: new Uint8Array(), truncated: true }
      : { bytes: new Uint8Array(Buffer.concat(chunks)), truncated: part.file.truncated };
  };
}

/**
 * Declares that a route accepts files, optionally with lower limits than the global ones, for the
 * route's `config`: `{ config: multipartRouteConfig({ maxFileBytes: 5_000_000, maxFiles: 3 }) }`.
 */
export function multipartRouteConfig(limits: { maxFileBytes?: number; maxFiles?: number }): { multipartOptions: { limits: { fileSize?: number; files?: number } } } {
  return { multipartOptions: { limits: { ...(limits.maxFileBytes ? { fileSize: limits.maxFileBytes } : {}), ...(limits.maxFiles ? { files: limits.maxFiles } : {}) } } };
}

function isFilePart(value: unknown): value is ReadFilePart {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'file';
}

function isFieldPart(value: unknown): value is MultipartValue {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'field';
}

/**
 * The fields and files of a posted form. Works for multipart and for url-encoded posts (then there
 * are no files), so one handler serves a form with an optional file input. A file input left empty
 * (no name, no bytes) is not listed.
 */
export function readMultipartForm(request: FastifyRequest): MultipartForm {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const fields: Record<string, string | string[]> = {};
  const files: ReceivedFile[] = [];
  const addField = (name: string, value: string): void => {
    const existing = fields[name];
    if (existing === undefined) fields[name] = value;
    else fields[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  };
  for (const [name, entry] of Object.entries(body)) {
    for (const item of Array.isArray(entry) ? entry : [entry]) {
      if (typeof item === 'string') addField(name, item);
      else if (isFieldPart(item)) addField(name, String(item.value ?? ''));
      else if (isFilePart(item)) {
        const received = item.received ?? { bytes: new Uint8Array(), truncated: false };
        if (item.filename === '' && received.bytes.length === 0) continue;
        files.push({ fieldName: name, fileName: item.filename, declaredType: item.mimetype, ...received });
      }
    }
  }
  return { fields, files };
}

/** The CSRF token of a posted form: a url-encoded field, or a multipart field part. */
export function csrfTokenOfBody(body: unknown): string | undefined {
  const value = (body as Record<string, unknown> | null | undefined)?._csrf;
  if (typeof value === 'string') return value;
  if (isFieldPart(value) && typeof value.value === 'string') return value.value;
  return undefined;
}
