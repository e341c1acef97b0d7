import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReceivedFile } from '../../platform/http/multipart.ts';
import { renderPdf } from '../../platform/pdf/index.ts';
import { noMalwareScanner, type MalwareScanner } from '../../platform/uploads/index.ts';
import { MAX_FILES, receiveAttachments } from './receive-attachments.ts';

const file = (bytes: Uint8Array, fileName = 'nachweis.pdf', truncated = false): ReceivedFile => ({ fieldName: 'anhaenge', fileName, declaredType: 'application/pdf', bytes, truncated });

test('attachments are judged by content, scanned, and limited per file, per message and in number', async () => {
  const pdf = await renderPdf({ title: 'Nachweis', author: 'Test', blocks: [{ kind: 'paragraph', text: 'Nachweis' }] });
  const ok = await receiveAttachments([file(pdf, '../../etc/Nachweis.pdf')], noMalwareScanner);
  assert.ok(ok.ok);
  assert.deepEqual(ok.files.map((f) => [f.fileName, f.mediaType]), [['Nachweis.pdf', 'application/pdf']], 'no path in the name; the type from the content');

  assert.deepEqual(await receiveAttachments([file(Buffer.from('<script>alert(1)</script>'), 'bild.png')], noMalwareScanner), { ok: false, refusal: { code: 'type-not-allowed', fileName: 'bild.png' } });
  assert.deepEqual(await receiveAttachments([file(pdf, 'gross.pdf', true)], noMalwareScanner), { ok: false, refusal: { code: 'too-large', fileName: 'gross.pdf' } });
  assert.deepEqual(await receiveAttachments(Array.from({ length: MAX_FILES + 1 }, () => file(pdf)), noMalwareScanner), { ok: false, refusal: { code: 'too-many' } });
  // A PDF made 9 MB large by a comment after its header: each within the file limit, three too many together.
  const header = Buffer.from(pdf).indexOf(0x0a) + 1;
  const nineMb = Buffer.concat([Buffer.from(pdf).subarray(0, header), Buffer.from('%'), Buffer.alloc(9 * 1024 * 1024, 0x41), Buffer.from('\n'), Buffer.from(pdf).subarray(header)]);
  assert.ok((await receiveAttachments([file(nineMb), file(nineMb)], noMalwareScanner)).ok, 'two fit');
  assert.deepEqual(await receiveAttachments([file(nineMb), file(nineMb), file(nineMb)], noMalwareScanner), { ok: false, refusal: { code: 'message-too-large' } });

  const infected: MalwareScanner = { scan: async () => 'infected' };
  assert.deepEqual(await receiveAttachments([file(pdf, 'virus.pdf')], infected), { ok: false, refusal: { code: 'infected', fileName: 'virus.pdf' } });
  const down: MalwareScanner = { scan: async () => 'unavailable' };
  assert.deepEqual(await receiveAttachments([file(pdf)], down), { ok: false, refusal: { code: 'scan-unavailable', fileName: 'nachweis.pdf' } }, 'fails closed');
});
