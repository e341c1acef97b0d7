/**
 * Child processes and temporary directories of a bench run. Everything started or created here is
 * registered, so that it is stopped and removed on every way out: normal end, error, SIGINT/SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (parent of bench/). */
export const REPO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Node.js binary of this run (node 24 from node_modules when started through `npm run bench`). */
export const NODE_BIN = process.execPath;

export interface Child {
  readonly process: ChildProcess;
  readonly label: string;
  /** The last output (stdout and stderr, interleaved), for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<number | string>;
}

const children = new Set<Child>();
const tempDirs = new Set<string>();
const cleanups = new Set<() => Promise<void>>();

/** Runs `fn` at the end of the run at the latest (e.g. drops a database); returns a function that runs it now. */
export function onCleanup(fn: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    if (!cleanups.delete(once)) return;
    await fn();
  };
  cleanups.add(once);
  return once;
}

/**
 * Environment for a child: this process's environment without the app's settings (so that a
 * DATABASE_URL or PORT in the shell does not leak in; the bench measures the default PGlite setup),
 * plus `extra`.
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [
    'DATABASE_URL', 'PORT', 'HOST', 'PUBLIC_URL', 'DATA_DIR', 'NODE_ENV', 'DEMO', 'LOG_LEVEL', 'RATE_LIMIT_PER_MINUTE',
    'RUN_WORKER', 'TRUST_PROXY', 'NODE_OPTIONS',
  ]) delete env[key];
  return { ...env, ...extra };
}

/** Spawns `node <script> <args>` (script relative to the repo) with NODE_BIN, cwd = repo root. */
export function spawnNode(label: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): Child {
  const proc = spawn(NODE_BIN, [script, ...args], { cwd: REPO_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  const keep = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString('utf8')).slice(-8000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
    proc.once('error', (error) => {
      done = true;
      keep(Buffer.from(`spawn error: ${error.message}\n`));
      resolve('spawn-error');
    });
  });
  const child: Child = {
    process: proc,
    label,
    output: () => buffer,
    exited,
    hasExited: () => done,
    async stop(graceMs = 15_000) {
      if (!done) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!done) proc.kill('SIGKILL');
        }, graceMs);
        try {
          await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      children.delete(child);
      return exited;
    },
  };
  children.add(child);
  void exited.then(() => children.delete(child));
  return child;
}

/** A new empty directory below the OS temp dir, removed at the end of the run at the latest. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `digitales-amt-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Gracefully stops every child still running and removes every temp dir. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.stop(5_000)));
  for (const dir of [...tempDirs]) removeTempDir(dir);
  for (const fn of [...cleanups]) await fn().catch((error: unknown) => console.error(`bench cleanup failed: ${String(error)}`));
}

/** Last resort, synchronous (for process 'exit'): SIGKILL what is left, remove temp dirs. */
export function cleanupAllSync(): void {
  for (const child of children) {
    if (!child.hasExited()) child.process.kill('SIGKILL');
  }
  children.clear();
  for (const dir of [...tempDirs]) {
    try {
      removeTempDir(dir);
    } catch {
      // best effort on exit
    }
  }
}
