/**
 * The real entry point: `node src/server.ts` on a fresh data directory prints the address and the
 * demo logins, serves pages, restarts on the existing data, and shuts down cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'da-server-test-'));
after(() => rm(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(port: number) {
  const child = spawn(process.execPath, ['src/server.ts'], {
    env: { PATH: process.env.PATH, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!stdout.includes('Demo-E-Mails')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, exited, output: () => stdout };
}

test('npm start serves the portal with demo data, survives a restart, and shuts down gracefully', { timeout: 180_000 }, async () => {
  const port = await freePort();
  const first = await startServer(port);
  assert.match(first.output(), new RegExp(`http://localhost:${port}`));
  assert.match(first.output(), /betrieb@demo\.digitales-amt\.de/);
  assert.match(first.output(), /Demo-Amt-2026!/);
  const home = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(home.status, 200);
  assert.match(await home.text(), /Verwaltung online erledigen/);
  const page = await fetch(`http://127.0.0.1:${port}/gemeinden/09162000`);
  assert.match(await page.text(), /München/);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0, 'exits cleanly on SIGTERM');

  const second = await startServer(port);
  const ready = await fetch(`http://127.0.0.1:${port}/ready`);
  assert.equal(ready.status, 200);
  second.child.kill('SIGINT');
  assert.equal(await second.exited, 0);
});
