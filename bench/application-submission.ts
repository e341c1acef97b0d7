/**
 * application-submission (issue 5, Performance): submissions per second and p95 latency of
 * `POST /api/v1/applications/{id}/submission` over HTTP on the PostgreSQL server — validation,
 * storage, routing, the case with its trail entry, audit, the receipt job and the e-mail notice in
 * the outbox, all in the request's transaction; the receipt PDF is produced off the request path by
 * the worker — against a raw `pg` transaction of the same shape at the same concurrency, and the
 * app's memory under that load (the raw transaction writes the same rows in the app's order, the
 * tenant's case trail head locked last; a short run without the trail entry shows what that per-tenant
 * lock costs). Goal: at least 1,000 submissions/s and at least 30 % of the raw rate.
 *
 * Runs on a PostgreSQL server (BENCH_DATABASE_URL, else TEST_DATABASE_URL, e.g.
 * postgres://postgres@127.0.0.1:5432/postgres): creates a database of its own there, starts the app
 * on it (it migrates and seeds the demo data, so Coburg's "Hund zur Hundesteuer anmelden" exists),
 * and drops it at the end. Preparation, before the load: citizen accounts and API tokens by SQL,
 * ONE complete valid draft through the API (start, every step), cloned by SQL into enough drafts
 * for every request the load can make. Each draft is submitted exactly once; afterwards every
 * response must have been a 200 with `alreadySubmitted: false`, and the submitted applications,
 * cases, trail entries, receipt jobs and outbound mails are counted.
 *
 * RUN_WORKER=false: the web process only enqueues the receipt job (as it does with the worker on);
 * with the worker inside, it would render and seal tens of thousands of PDFs on the same two
 * cores during the measurement, and the figure would be the receipts' rate rather than the
 * submissions'. In production the worker runs apart (`npm run worker`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { hashEntry } from '../src/modules/case-trail/case-trail-hash.ts';
import { createFieldCipher } from '../src/platform/crypto/field-encryption.ts';
import { HOST } from './lib/http.ts';
import type { LoadResult } from './lib/load.ts';
import { createScratchDatabase } from './lib/scratch-database.ts';
import { startApp, type RunningServer } from './lib/servers.ts';
import { fmt, percentile } from './lib/stats.ts';
import type { Benchmark, BenchContext, BenchResult } from './lib/types.ts';

/** Concurrent requests (autocannon connections) and, for the baseline, concurrent transactions. */
const CONNECTIONS = 50;
const WARMUP_SECONDS = 2;
const MEASURE_SECONDS = 8;
/** The raw transaction without the trail entry, for information. */
const NO_TRAIL_SECONDS = 4;
/** The app's pool (DATABASE_POOL_SIZE, its default); the baseline's pool has the same size. */
const POOL_SIZE = 10;
/** Drafts per side: more than the load can submit in warm-up + measurement on this machine. */
const DRAFTS = 60_000;
/**
 * Citizens (each with one token) the drafts are spread over, round robin. One person submitting
 * tens of thousands of applications is not what 1,000 submissions/s look like, and each token's
 * row is written on every request (last_used_at); BENCH_SUBMIT_ACCOUNTS=1 measures one token.
 */
const ACCOUNTS = Number(process.env.BENCH_SUBMIT_ACCOUNTS ?? 200);
const COBURG = '09463000';
const PROCEDURE = 'Hund zur Hundesteuer anmelden';

const HOLDER = { familienname: 'Schmidt', vornamen: 'Manfred', geburtsdatum: '11.02.1969', anschrift: { street: 'Rankestr.', houseNumber: '13', postcode: '96450', city: 'Coburg', country: 'DE' } };
const DOGS = { hunde: [{ hund_name: 'Bench-Hund', rasse: 'Dackel', hund_geschlecht: 'ruede', wurfdatum: '01.03.2024', gehalten_seit: '01.06.2024', listenhund: false }] };
const STEPS: [string, unknown][] = [['halter', HOLDER], ['hundeangaben', DOGS], ['ermaessigung', { ermaessigung_beantragt: false }], ['zahlung', { lastschrift: false }]];

interface Citizen { id: string; token: string }

/** The load figures of the harness (lib/load.ts), without the body size, which this bench does not measure. */
type LoadFigures = Omit<LoadResult, 'bytesPerResponse'>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function describe(f: LoadFigures): string {
  return `${fmt(f.rps)} submissions/s (${f.requests} in ${fmt(f.seconds)} s), latency p50 ${fmt(f.p50Ms)} ms, p95 ${fmt(f.p95Ms)} ms, p99 ${fmt(f.p99Ms)} ms`;
}

function figures(latencies: number[], seconds: number): LoadFigures {
  return {
    requests: latencies.length, seconds, rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99),
  };
}

async function api(port: number, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://${HOST}:${port}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

/** Citizen accounts with name and e-mail (encrypted with the app's key) and one API token each. */
async function createCitizens(pool: pg.Pool, key: Buffer, count: number): Promise<Citizen[]> {
  const cipher = createFieldCipher(key);
  const citizens: Citizen[] = [];
  for (let n = 0; n < count; n++) citizens.push({ id: randomUUID(), token: `da_${randomBytes(32).toString('base64url')}` });
  const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
  for (let from = 0; from < count; from += 500) {
    const part = citizens.slice(from, from + 500);
    await pool.query(`
      INSERT INTO citizen_accounts (id, bpk2_hash, given_name_enc, family_name_enc, email_enc, last_trust_level)
      SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, bpk2_hash, given, family, email), (VALUES ('substantiell')) AS l(level)`,
    [part.map((c) => c.id), part.map((c) => `bench-submit-${c.id}`), part.map(() => cipher.encrypt('Manfred')), part.map(() => cipher.encrypt('Schmidt')),
      part.map((_, k) => cipher.encrypt(`buerger${from + k}@bench.invalid`))]);
    await pool.query(`
      INSERT INTO citizen_api_tokens (account_id, name, token_hash, trust_level, expires_at)
      SELECT id, 'Bench', hash, 'substantiell', now() + interval '1 day' FROM unnest($1::uuid[], $2::text[]) AS t(id, hash)`,
    [part.map((c) => c.id), part.map((c) => sha(c.token))]);
  }
  return citizens;
}

/** Starts one draft through the API and fills every step with valid answers; returns its id. */
async function createValidDraft(port: number, pool: pg.Pool, citizen: Citizen): Promise<string> {
  const procedure = await pool.query<{ id: string }>(`SELECT p.id FROM online_procedures p JOIN tenants t ON t.id = p.tenant_id WHERE t.slug = 'coburg' AND p.name = $1`, [PROCEDURE]);
  const procedureId = procedure.rows[0]?.id;
  if (!procedureId) throw new Error(`the demo data has no procedure "${PROCEDURE}" of Coburg`);
  const started = await api(port, 'POST', '/api/v1/applications', citizen.token, { procedureId, ags: COBURG, startKey: 'bench-submission-0001' });
  if (started.status !== 201) throw new Error(`starting the draft answered ${started.status}: ${JSON.stringify(started.json)}`);
  const id = String(started.json.id);
  for (const [step, values] of STEPS) {
    const saved = await api(port, 'PUT', `/api/v1/applications/${id}/steps/${step}`, citizen.token, { values });
    if (saved.status !== 200) throw new Error(`step ${step} answered ${saved.status}: ${JSON.stringify(saved.json)}`);
  }
  return id;
}

/**
 * `count` copies of the draft with new ids, without start key, spread over the citizens (round
 * robin); returns their ids and owners in the order they are to be submitted.
 */
async function cloneDrafts(pool: pg.Pool, draftId: string, citizens: Citizen[], count: number): Promise<{ id: string; owner: number }[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const owners = ids.map((_, n) => n % citizens.length);
  for (let from = 0; from < count; from += 20_000) {
    await pool.query(`
      INSERT INTO applications
      SELECT (jsonb_populate_record(a, jsonb_build_object('id', c.id, 'account_id', c.account_id, 'start_key', NULL))).*
      FROM applications a, unnest($2::uuid[], $3::uuid[]) AS c(id, account_id)
      WHERE a.id = $1`,
    [draftId, ids.slice(from, from + 20_000), owners.slice(from, from + 20_000).map((o) => citizens[o]!.id)]);
  }
  return ids.map((id, n) => ({ id, owner: owners[n]! }));
}

/** Resident set size (VmRSS, bytes) of a process now. */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

/** CPU time (user + system, ms) a process has used so far. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100/s on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * CPU time (ms) of each process of the local PostgreSQL server (every process named postgres:
 * backends, WAL writer, checkpointer) by pid, or null when none is visible (a remote server).
 */
function postgresCpu(): Map<number, number> | null {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/stat`, 'utf8').includes('(postgres)')) continue;
      byPid.set(Number(entry), cpuMsOf(Number(entry)));
    } catch {
      // the process ended meanwhile
    }
  }
  return byPid.size > 0 ? byPid : null;
}

/** CPU (ms) PostgreSQL used between two readings; a process that ended meanwhile is missed (pools stay open during a run). */
function postgresCpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** CPU per submission of the app (or raw client) and of PostgreSQL, and what 1,000/s would take. */
function cpuLine(who: string, clientMs: number, pgMs: number | null, submissions: number): string {
  const client = clientMs / Math.max(1, submissions);
  if (pgMs === null) return `${who}: ${fmt(client)} ms CPU per submission (PostgreSQL not on this machine: its share unknown)`;
  const server = pgMs / Math.max(1, submissions);
  return `${who}: ${fmt(client)} ms CPU per submission + PostgreSQL ${fmt(server)} ms; 1,000 submissions/s would take about ${fmt(client + server)} cores`;
}

/** Peak RSS of a process, sampled every 100 ms until stopped. */
function sampleRss(pid: number): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process is gone; keep what was seen
    }
  }, 100);
  return { stop: () => (clearInterval(timer), peak) };
}

/**
 * One autocannon run of `seconds` against the submission endpoint: each request takes the next
 * draft (and its owner's token). Every response must be a 200 with alreadySubmitted false.
 */
function submitLoad(port: number, drafts: { id: string; owner: number }[], citizens: Citizen[], cursor: { next: number }, seconds: number, connections = CONNECTIONS): Promise<{ latencies: number[]; seconds: number }> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const problems = new Map<string, number>();
    const note = (what: string) => problems.set(what, (problems.get(what) ?? 0) + 1);
    let exhausted = false;
    const instance = autocannon({
      url: `http://${HOST}:${port}`, connections, duration: seconds, pipelining: 1, timeout: 10,
      requests: [{
        method: 'POST',
        setupRequest: (req) => {
          const draft = drafts[cursor.next++];
          if (!draft) {
            exhausted = true;
            instance.stop();
            return { ...req, path: '/api/v1/applications/00000000-0000-4000-8000-000000000000/submission' };
          }
          return { ...req, path: `/api/v1/applications/${draft.id}/submission`, headers: { authorization: `Bearer ${citizens[draft.owner]!.token}` } };
        },
        onResponse: (status, body) => {
          if (status !== 200) note(`status ${status}: ${body.slice(0, 200)}`);
          else if (!body.includes('"alreadySubmitted":false')) note(`200 without alreadySubmitted false: ${body.slice(0, 200)}`);
        },
      }],
    }, (error: unknown, result: autocannon.Result) => {
      if (error) return reject(error);
      if (exhausted) return reject(new Error(`ran out of drafts after ${drafts.length} submissions: raise DRAFTS`));
      if (result.errors > 0 || result.timeouts > 0 || problems.size > 0) {
        return reject(new Error(`not every submission succeeded — errors=${result.errors} timeouts=${result.timeouts}; ${[...problems].map(([p, n]) => `${n}× ${p}`).join('; ')}`));
      }
      resolve({ latencies, seconds: result.duration });
    });
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

/**
 * The raw transaction: what a submission writes, in the app's order and with the app's statements
 * (named prepared statements, as the app's pool uses them), with no framework, checks or reads
 * around it — the draft locked and submitted; its history entry, audit event, receipt job, e-mail
 * notice and delivery job in one statement; then the case and its first trail entry (the tenant's
 * trail head stays locked from there to the commit). Without `trail`, no case trail entry: what
 * the same transaction costs without the per-tenant lock.
 */
async function rawSubmit(pool: pg.Pool, draft: { id: string; accountId: string }, fixed: RawFixed, trail: boolean): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const locked = await client.query<{ status: string }>({ name: 'raw_lock', text: 'SELECT status FROM applications WHERE id = $1 AND account_id = $2 AND organisation_id IS NULL FOR UPDATE', values: [draft.id, draft.accountId] });
    if (locked.rows[0]?.status !== 'draft') throw new Error(`raw: draft ${draft.id} is not a draft`);
    const submitted = await client.query<{ reference: string; submitted_at: Date }>({ name: 'raw_submit', text: `
      UPDATE applications SET status = 'submitted', reference = 'DA-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('application_reference_seq')::text, 7, '0'),
        trust_level = 'substantiell', tenant_id = $2, submitted_at = now(), updated_at = now(), draft_expires_at = NULL, start_key = NULL
      WHERE id = $1 AND status = 'draft' RETURNING reference, submitted_at`, values: [draft.id, fixed.tenantId] });
    const { reference, submitted_at: submittedAt } = submitted.rows[0]!;
    // History entry, audit event, receipt job, e-mail and its delivery job: one statement, as the app sends them.
    const mailId = randomUUID();
    await client.query({ name: 'raw_writes', text: `
      WITH event AS (INSERT INTO application_events (application_id, tenant_id, status, actor_type, actor_id, trust_level) VALUES ($1, $2, 'submitted', 'citizen', $3, 'substantiell')),
        audit AS (INSERT INTO audit_events (tenant_id, actor_type, actor_id, action, subject_type, subject_id, details, request_id)
          VALUES ($2, 'citizen', $3, 'application.submitted', 'application', $1, $4, $5)),
        receipt AS (INSERT INTO jobs (type, payload, tenant_id, run_at, max_attempts, idempotency_key) VALUES ($6, $7, $2, now(), 8, $8) ON CONFLICT (idempotency_key) DO NOTHING),
        mail AS (INSERT INTO outbound_mails (id, tenant_id, recipient_enc, subject_enc, text_enc) VALUES ($9, $2, $10, $11, $12))
      INSERT INTO jobs (type, payload, tenant_id, run_at, max_attempts, idempotency_key) VALUES ('mail.send@1', $13, $2, now(), 10, $14) ON CONFLICT (idempotency_key) DO NOTHING`,
    values: [draft.id, fixed.tenantId, draft.accountId, JSON.stringify({ procedureId: fixed.procedureId, formVersion: 1, trustLevel: 'substantiell' }), randomUUID(),
      fixed.receiptJobType, JSON.stringify({ applicationId: draft.id }), `receipt:${draft.id}`,
      mailId, fixed.mailEnc[0], fixed.mailEnc[1], fixed.mailEnc[2], JSON.stringify({ mailId }), `mail:${mailId}`] });
    await client.query({ name: 'raw_case', text: `INSERT INTO cases (id, tenant_id, procedure_id, reference, submitted_at, due_at, account_id, organisation_id, applicant_name_enc, applicant_terms, workflow)
      VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, (SELECT workflow FROM application_procedures WHERE online_procedure_id = $3)) ON CONFLICT (id) DO NOTHING RETURNING id`,
    values: [draft.id, fixed.tenantId, fixed.procedureId, reference, submittedAt, new Date(submittedAt.getTime() + 30 * 86_400_000), draft.accountId, fixed.nameEnc, fixed.terms] });
    if (trail) {
      const head = (await client.query<{ seq: string; hash: string }>({ name: 'raw_head', text: 'SELECT seq, hash FROM case_trail_heads WHERE tenant_id = $1 FOR UPDATE', values: [fixed.tenantId] })).rows[0]!;
      const entry = {
        tenantId: fixed.tenantId, seq: Number(head.seq) + 1, caseId: draft.id, action: 'case.opened', actorType: 'system' as const, actorId: null, trustLevel: null,
        details: { procedureId: fixed.procedureId, reference }, createdAt: new Date(), prevHash: head.hash,
      };
      const hash = hashEntry(entry);
      await client.query({ name: 'raw_trail', text: `WITH appended AS (INSERT INTO case_trail (tenant_id, seq, case_id, action, actor_type, actor_id, trust_level, details, created_at, prev_hash, hash)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)) UPDATE case_trail_heads SET seq = $2, hash = $11 WHERE tenant_id = $1`,
      values: [entry.tenantId, entry.seq, entry.caseId, entry.action, entry.actorType, entry.actorId, entry.trustLevel, JSON.stringify(entry.details), entry.createdAt, entry.prevHash, hash] });
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface RawFixed {
  tenantId: string;
  procedureId: string;
  receiptJobType: string;
  nameEnc: string;
  terms: string[];
  mailEnc: [string, string, string];
}

/** CONNECTIONS loops of raw transactions for `seconds`, each taking the next draft. */
async function rawLoad(pool: pg.Pool, drafts: { id: string; accountId: string }[], fixed: RawFixed, cursor: { next: number }, seconds: number, trail = true): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const draft = drafts[cursor.next++];
      if (!draft) throw new Error(`raw: ran out of drafts after ${drafts.length}: raise DRAFTS`);
      const t0 = performance.now();
      await rawSubmit(pool, draft, fixed, trail);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

async function count(pool: pg.Pool, query: string, params: unknown[]): Promise<number> {
  return Number((await pool.query<{ n: string }>(query, params)).rows[0]!.n);
}

/**
 * Counts what the submissions left behind. Every answered request submitted its draft; requests
 * still in flight when a run stopped may have been submitted too (the server finished them), so
 * the submitted drafts lie between the answers and the drafts handed out — and each of them must
 * have exactly one case, history entry, trail entry, audit event and receipt job.
 */
async function verifyWritten(pool: pg.Pool, handedOut: string[], answered: number, receiptJobType: string): Promise<string> {
  const submitted = await count(pool, `SELECT count(*) AS n FROM applications WHERE id = ANY($1) AND status = 'submitted' AND reference IS NOT NULL`, [handedOut]);
  if (submitted < answered || submitted > handedOut.length) throw new Error(`${answered} answered submissions, ${handedOut.length} drafts handed out, but ${submitted} submitted applications`);
  const checks: [string, string][] = [
    ['cases', 'SELECT count(*) AS n FROM cases WHERE id = ANY($1)'],
    ['history entries', `SELECT count(*) AS n FROM application_events WHERE application_id = ANY($1) AND status = 'submitted'`],
    ['trail entries', `SELECT count(*) AS n FROM case_trail WHERE case_id = ANY($1) AND action = 'case.opened'`],
    ['audit events', `SELECT count(*) AS n FROM audit_events WHERE subject_id = ANY($1::text[]) AND action = 'application.submitted'`],
    ['receipt jobs', `SELECT count(*) AS n FROM jobs WHERE idempotency_key = ANY(SELECT 'receipt:' || x FROM unnest($1::text[]) x) AND type = '${receiptJobType}'`],
  ];
  const found = [`${answered} answers 200 with alreadySubmitted false, ${submitted} submitted applications`];
  for (const [what, query] of checks) {
    const n = await count(pool, query, [handedOut]);
    if (n !== submitted) throw new Error(`${submitted} submitted applications, but ${n} ${what}`);
    found.push(`${n} ${what}`);
  }
  return found.join(', ');
}

/** The app's settings in this bench (a second instance gets the same). */
function appEnvOf(url: string, key: Buffer): Record<string, string> {
  return { DATABASE_URL: url, DATABASE_POOL_SIZE: String(POOL_SIZE), DEMO: 'true', RUN_WORKER: 'false', DATA_ENCRYPTION_KEY: key.toString('hex') };
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const { url, drop } = await createScratchDatabase('application-submission', 'submit_');
  const key = randomBytes(32);
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  // An idle connection that the server ends (the scratch database is dropped WITH (FORCE)) must not crash the run.
  pool.on('error', () => undefined);
  let app: RunningServer | undefined;
  try {
    let t0 = performance.now();
    app = await startApp({ env: appEnvOf(url, key) });
    ctx.log(`app started on database ${new URL(url).pathname.slice(1)} (migrations, reference and demo data) in ${fmt((performance.now() - t0) / 1000)} s; RUN_WORKER=false, pool ${POOL_SIZE}, rate limiter counting in PostgreSQL`);

    t0 = performance.now();
    const citizens = await createCitizens(pool, key, ACCOUNTS);
    const draftId = await createValidDraft(app.port, pool, citizens[0]!);
    const appDrafts = await cloneDrafts(pool, draftId, citizens, DRAFTS);
    const rawDrafts = await cloneDrafts(pool, draftId, citizens, DRAFTS);
    await pool.query('VACUUM ANALYZE');
    await pool.query('CHECKPOINT').catch(() => undefined);
    ctx.log(`${ACCOUNTS} citizens with a token each, one draft filled in through the API, cloned into 2 × ${DRAFTS.toLocaleString('en')} drafts in ${fmt((performance.now() - t0) / 1000)} s`);

    // --- the app ---
    const cursor = { next: 0 };
    const idleRss = rssOf(app.child.process.pid!);
    const rss = sampleRss(app.child.process.pid!);
    let warmup: { latencies: number[] };
    let appCpuMs = 0;
    let appPgCpuMs: number | null = null;
    let measured: { latencies: number[]; seconds: number };
    try {
      warmup = await submitLoad(app.port, appDrafts, citizens, cursor, WARMUP_SECONDS);
      const cpuBefore = cpuMsOf(app.child.process.pid!);
      const pgBefore = postgresCpu();
      measured = await submitLoad(app.port, appDrafts, citizens, cursor, MEASURE_SECONDS);
      appCpuMs = cpuMsOf(app.child.process.pid!) - cpuBefore;
      appPgCpuMs = postgresCpuBetween(pgBefore, postgresCpu());
    } finally {
      rss.stop();
    }
    const peakRss = rss.stop();
    const appFigures = figures(measured.latencies, measured.seconds);
    ctx.log(`app, ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up + ${MEASURE_SECONDS} s: ${describe(appFigures)}`);
    ctx.log(`app CPU: ${fmt(appCpuMs / measured.seconds / 10)} % of one core during the measurement (one Node.js process uses one core for its requests)`);
    ctx.log(cpuLine('app', appCpuMs, appPgCpuMs, measured.latencies.length));
    ctx.log(`app RSS: ${fmt(idleRss / 2 ** 20)} MB before the load, peak ${fmt(peakRss / 2 ** 20)} MB under it`);
    // Scale-out: a second instance on the same database, the connections split between the two.
    const second = await startApp({ env: appEnvOf(url, key) });
    let twoFigures: LoadFigures;
    let twoAnswered = 0;
    let twoCpuMs = 0;
    let twoPgCpuMs: number | null = null;
    try {
      const half = CONNECTIONS / 2;
      const warm = await Promise.all([submitLoad(app.port, appDrafts, citizens, cursor, 1, half), submitLoad(second.port, appDrafts, citizens, cursor, 1, half)]);
      const pids = [app.child.process.pid!, second.child.process.pid!];
      const cpuBefore = pids.map(cpuMsOf);
      const pgBefore = postgresCpu();
      const [a, b] = await Promise.all([submitLoad(app.port, appDrafts, citizens, cursor, MEASURE_SECONDS, half), submitLoad(second.port, appDrafts, citizens, cursor, MEASURE_SECONDS, half)]);
      twoCpuMs = pids.reduce((sum, pid, n) => sum + cpuMsOf(pid) - cpuBefore[n]!, 0);
      twoPgCpuMs = postgresCpuBetween(pgBefore, postgresCpu());
      twoFigures = figures([...a.latencies, ...b.latencies], Math.max(a.seconds, b.seconds));
      twoAnswered = [...warm, a, b].reduce((n, run) => n + run.latencies.length, 0);
    } finally {
      await second.stop();
    }
    ctx.log(`two app instances (${CONNECTIONS / 2} connections each), ${MEASURE_SECONDS} s: ${describe(twoFigures)} — on this machine they share its ${availableParallelism()} cores with PostgreSQL and the load generator`);
    // Per submission, to compare with one instance (on an oversubscribed machine it rises somewhat: scheduling, caches).
    ctx.log(cpuLine('two app instances', twoCpuMs, twoPgCpuMs, twoFigures.requests));
    const appSubmitted = appDrafts.slice(0, Math.min(cursor.next, appDrafts.length)).map((d) => d.id);
    await app.stop();
    app = undefined;

    // --- the raw transaction, same database, same concurrency and pool size ---
    const procedure = (await pool.query<{ tenant_id: string; procedure_id: string; type: string }>(
      `SELECT a.tenant_id, a.procedure_id, j.type FROM applications a, jobs j WHERE a.id = $1 AND j.idempotency_key = 'receipt:' || a.id`, [appSubmitted[0]])).rows[0]!;
    const cipher = createFieldCipher(key);
    const fixed: RawFixed = {
      tenantId: procedure.tenant_id, procedureId: procedure.procedure_id, receiptJobType: procedure.type,
      nameEnc: cipher.encrypt('Manfred Schmidt'), terms: ['bench-term-1', 'bench-term-2'],
      mailEnc: [cipher.encrypt('buerger@bench.invalid'), cipher.encrypt('Ihr Antrag ist eingegangen / Your application has been received'), cipher.encrypt('Guten Tag, …')],
    };
    const rawCursor = { next: 0 };
    const raw = rawDrafts.map((d) => ({ id: d.id, accountId: citizens[d.owner]!.id }));
    await rawLoad(pool, raw, fixed, rawCursor, WARMUP_SECONDS);
    const rawCpuBefore = process.cpuUsage();
    const rawPgBefore = postgresCpu();
    const rawMeasured = await rawLoad(pool, raw, fixed, rawCursor, MEASURE_SECONDS);
    const rawCpu = process.cpuUsage(rawCpuBefore);
    const rawPgMs = postgresCpuBetween(rawPgBefore, postgresCpu());
    const rawFigures = figures(rawMeasured.latencies, rawMeasured.seconds);
    ctx.log(`raw pg transaction, ${CONNECTIONS} concurrent over a pool of ${POOL_SIZE}: ${describe(rawFigures)}`);
    ctx.log(cpuLine('raw client', (rawCpu.user + rawCpu.system) / 1000, rawPgMs, rawMeasured.latencies.length));
    // What the per-tenant trail head costs: the same transaction without the trail entry (information only).
    await rawLoad(pool, raw, fixed, rawCursor, 1, false);
    const untrailed = await rawLoad(pool, raw, fixed, rawCursor, NO_TRAIL_SECONDS, false);
    ctx.log(`raw pg transaction without the case trail entry (no per-tenant lock), ${NO_TRAIL_SECONDS} s: ${describe(figures(untrailed.latencies, untrailed.seconds))}`);

    ctx.log(`app's submissions checked: ${await verifyWritten(pool, appSubmitted, warmup.latencies.length + measured.latencies.length + twoAnswered, procedure.type)}`);
    ctx.log(`goals: ≥ 1,000 submissions/s (${fmt(appFigures.rps)}), ≥ 30 % of the raw rate (${fmt(100 * appFigures.rps / rawFigures.rps)} %)`);
    return [
      { name: 'application-submission', metric: 'rps', value: appFigures.rps, baseline: rawFigures.rps, better: 'higher', description: `submissions/s over HTTP at ${CONNECTIONS} connections on PostgreSQL, app vs. the raw pg transaction of the same shape (goal: ≥ 1,000/s and ratio ≥ 0.3)` },
      { name: 'application-submission-2-instances', metric: 'rps', value: twoFigures.rps, baseline: appFigures.rps, better: 'higher', description: `submissions/s of two app instances on the same database (${CONNECTIONS / 2} connections each) vs. one instance (on a 2-core machine they compete with PostgreSQL for the cores)` },
      { name: 'application-submission-p95', metric: 'p95_ms', value: appFigures.p95Ms, baseline: rawFigures.p95Ms, better: 'lower', description: `p95 latency (ms) of a submission at ${CONNECTIONS} connections, app vs. the raw pg transaction` },
      { name: 'application-submission-rss', metric: 'rss_mb', value: peakRss / 2 ** 20, baseline: idleRss / 2 ** 20, better: 'lower', description: 'peak RSS (MB) of the app process under the submission load vs. the same process idle right before it' },
    ];
  } finally {
    await app?.stop().catch(() => undefined);
    await pool.end();
    await sleep(100);
    await drop();
  }
}

export const benchmark: Benchmark = {
  name: 'application-submission',
  description: 'submissions/s and p95 of POST /api/v1/applications/{id}/submission on PostgreSQL (BENCH_DATABASE_URL), vs. a raw pg transaction of the same shape; app RSS',
  run,
};
