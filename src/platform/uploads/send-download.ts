/**
 * Sends a stored file to the browser safely: only the media types the platform accepts, never
 * sniffed (`nosniff`), as an attachment by default; an inline preview (PDF, images) runs in a
 * sandbox (`Content-Security-Policy: sandbox`), so a crafted file cannot run script on our origin.
 */
import type { FastifyReply } from 'fastify';
import { UPLOAD_MEDIA_TYPES } from './inspect-upload.ts';

const SAFE_TYPES: ReadonlySet<string> = new Set<string>(UPLOAD_MEDIA_TYPES);

export interface Download {
  fileName: string;
  mediaType: string;
  bytes: Uint8Array;
  /** 'attachment' (save) is the default; 'inline' for a preview of PDFs and images. */
  disposition?: 'attachment' | 'inline';
}

/** RFC 6266 Content-Disposition with an ASCII fallback `filename` and the UTF-8 `filename*` (RFC 5987/8187). */
export function contentDisposition(disposition: 'attachment' | 'inline', fileName: string): string {
  const clean = fileName.replace(/[\u0000-\u001f\u007f"\\/]/g, '').trim() || 'datei';
  const ascii = clean.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Sends the file. A media type outside the accepted ones is sent as an `application/octet-stream`
 * attachment, never inline.
 */
export function sendDownload(reply: FastifyReply, download: Download): FastifyReply {
  const safe = SAFE_TYPES.has(download.mediaType);
  const disposition = safe ? download.disposition ?? 'attachment' : 'attachment';
  reply
    .header('content-type', safe ? download.mediaType : 'application/octet-stream')
    .header('content-disposition', contentDisposition(disposition, download.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-length', String(download.bytes.length))
    // Replaces the page CSP: nothing may load, scripts cannot run, and no other origin may frame it
    // (a preview is framed by our own pages only).
    .header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'")
    .header('cross-origin-resource-policy', 'same-origin');
  return reply.send(Buffer.from(download.bytes.buffer, download.bytes.byteOffset, download.bytes.byteLength));
}
