/** Small HTTP helpers for the bench: free ports, single GETs and readiness polling, all on 127.0.0.1. */
import http from 'node:http';
import net from 'node:net';
import type { Child } from './processes.ts';

export const HOST = '127.0.0.1';

/** A port that is free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface GetResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One GET on a fresh connection (no keep-alive agent), bounded by `timeoutMs`. */
export function httpGet(port: number, pathname: string, timeoutMs = 5_000): Promise<GetResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path: pathname, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${pathname} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls GET `pathname` every `intervalMs` until it answers 200; returns `performance.now()` at the
 * moment the 200 arrived. Fails when `child` exits first or after `timeoutMs`.
 */
export async function waitFor200(port: number, pathname: string, child: Child, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<number> {
  const intervalMs = options.intervalMs ?? 20;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const deadline = performance.now() + timeoutMs;
  let last = 'no attempt';
  while (performance.now() < deadline) {
    if (child.hasExited()) {
      throw new Error(`${child.label} exited (${await child.exited}) before GET ${pathname} answered 200.\n--- its last output ---\n${child.output()}`);
    }
    const attemptStarted = performance.now();
    try {
      const res = await httpGet(port, pathname, Math.max(1, Math.min(5_000, deadline - attemptStarted)));
      if (res.status === 200) return performance.now();
      last = `status ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    const wait = intervalMs - (performance.now() - attemptStarted);
    if (wait > 0) await sleep(wait);
  }
  throw new Error(`GET ${pathname} on ${child.label} gave no 200 within ${timeoutMs} ms (last: ${last}).\n--- its last output ---\n${child.output()}`);
}
