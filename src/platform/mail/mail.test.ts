import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { createFieldCipher } from '../crypto/field-encryption.ts';
import { createWorker } from '../jobs/worker.ts';
import { createMailService, listRecentMails } from './mail.ts';

let t: TestDatabase;
before(async () => { t = await createTestDatabase(); });
after(async () => { await t.drop(); });

const cipher = createFieldCipher(randomBytes(32));

test('in demo mode a mail is built as a real message and kept, encrypted, in the database', async () => {
  const mail = createMailService({ cipher, from: 'Portal <noreply@example.de>' });
  const worker = createWorker({ db: t.database.db, definitions: [mail.sendJob], pollMs: 50, log: pino({ level: 'silent' }) });
  await t.database.db.transaction().execute((tx) => mail.queue(tx, { to: 'erika@example.de', subject: 'Eingangsbestätigung', text: 'Guten Tag' }));
  assert.equal(await worker.drain(), 1);
  const row = await t.database.db.selectFrom('outbound_mails').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.status, 'captured');
  assert.doesNotMatch(JSON.stringify(row), /erika@example\.de|Eingangsbestätigung/, 'nothing readable at rest');
  const [shown] = await listRecentMails(t.database.db, cipher);
  assert.equal(shown?.to, 'erika@example.de');
  assert.match(shown?.raw ?? '', /^To: erika@example\.de$/m);
  assert.match(shown?.raw ?? '', /^Subject: =\?UTF-8\?/m);
  assert.equal(await worker.drain(), 0, 'delivered once');
});

test('with an SMTP server configured the mail is delivered over SMTP', async () => {
  const received: { to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => { data += chunk.toString('utf8'); });
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  try {
    const mail = createMailService({ cipher, from: 'noreply@example.de', smtpUrl: `smtp://127.0.0.1:${port}` });
    const worker = createWorker({ db: t.database.db, definitions: [mail.sendJob], pollMs: 50, log: pino({ level: 'silent' }) });
    const id = await mail.queue(t.database.db, { to: 'max@example.de', subject: 'Hallo', text: 'Ein Test' });
    assert.equal(await worker.drain(), 1);
    mail.close();
    assert.equal(received.length, 1);
    assert.deepEqual(received[0]!.to, ['max@example.de']);
    assert.match(received[0]!.data, /Ein Test/);
    const row = await t.database.db.selectFrom('outbound_mails').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'sent');
    assert.equal(row.transport, 'smtp');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
