/**
 * The baseline server: bare `node:http`, no framework, no database, answering constant bodies.
 * - BENCH_BODIES_FILE set: a JSON object { "<path?query>": "<html>" } — answers exactly those URLs
 *   with their body (200) and anything else with 404. The harness fills it with the app's own
 *   responses, so the baseline sends bodies of the same size.
 * - not set: answers every URL with a constant HTML page of about 4 KB.
 * Listens on 127.0.0.1:PORT; exits on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const DEFAULT_PAGE = `<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>Baseline</title></head><body>\n${
  '<p>Konstante Antwort des Vergleichsservers ohne Framework und ohne Datenbank.</p>\n'.repeat(50)
}</body></html>\n`;

const file = process.env.BENCH_BODIES_FILE;
const bodies = new Map<string, Buffer>(
  file ? Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>).map(([url, html]) => [url, Buffer.from(html, 'utf8')]) : [],
);
const fallback = file ? undefined : Buffer.from(DEFAULT_PAGE, 'utf8');
const notFound = Buffer.from('not found\n');

const server = http.createServer((req, res) => {
  const body = bodies.get(req.url ?? '') ?? fallback;
  if (!body) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': notFound.length });
    res.end(notFound);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(body);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
