/**
 * Case processing at scale (issue 6): the caseworker's filtered first inbox page with 1,000,000 cases
 * across 100 tenants (100,000 in one), and the applicant's mailbox (thread list, a thread's
 * messages, the unread count) with 1,000,000 messages; the same figures at 10,000 to show that the
 * cost stays flat as the data grows.
 *
 * Runs on a PostgreSQL server (BENCH_DATABASE_URL, else TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres):
 * creates a database of its own there, migrates it, generates the data with generate_series
 * (bench/lib/case-data.ts), and drops it at the end. What is measured are the modules' own functions
 * (`listInbox` of cases; `listApplicantThreads`, `listThreadForStaff`, `unreadCountForApplicant` of
 * the mailbox) through the app's Kysely pool; the baseline is the same SQL sent raw through `pg` on
 * the same data, one call at a time, alternating with the function.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { listInbox, type InboxFilter } from '../src/modules/cases/index.ts';
import { ensureCaseThread, listApplicantThreads, listThreadForStaff, postToApplicant, unreadCountForApplicant } from '../src/modules/mailbox/index.ts';
import { createFieldCipher } from '../src/platform/crypto/field-encryption.ts';
import { createTenantKeys } from '../src/platform/crypto/tenant-keys.ts';
import { openDatabase, type Database } from '../src/platform/db/database.ts';
import { migrate } from '../src/platform/db/migrations.ts';
import type { MailService } from '../src/platform/mail/mail.ts';
import { benchUuid, bulkGenerateCases, CASES_PER_THREAD, generateBase, generateCases, ids, referenceOf, tenantOfCase } from './lib/case-data.ts';
import { createScratchDatabase } from './lib/scratch-database.ts';
import { fmt, percentile } from './lib/stats.ts';
import type { Benchmark, BenchContext, BenchResult } from './lib/types.ts';

const SMALL = 10_000;
const LARGE = 1_000_000;
/** The inbox's page size (cases.routes.ts). */
const PAGE_SIZE = 25;
const ROUNDS = 40;
const WARMUP_ROUNDS = 3;
const NOW = new Date('2026-12-01T00:00:00Z');

const BIG_TENANT = ids.tenant(0);
const ME = ids.staff(0, 3);
const OWNER = benchUuid('b', 1);
const OPEN = ['submitted', 'in_progress', 'waiting'];

interface Probe {
  name: string;
  value: () => Promise<unknown>;
  baseline: () => Promise<unknown>;
}

interface Samples {
  value: number[];
  baseline: number[];
  byProbe: Map<string, { value: number[]; baseline: number[] }>;
}

/** Calls every probe `rounds` times, one call at a time, function and raw SQL alternating (which goes first alternates too). */
async function measure(probes: Probe[], rounds: number): Promise<Samples> {
  const samples: Samples = { value: [], baseline: [], byProbe: new Map(probes.map((p) => [p.name, { value: [], baseline: [] }])) };
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  for (let round = -WARMUP_ROUNDS; round < rounds; round++) {
    for (const probe of probes) {
      const order = round % 2 === 0 ? (['value', 'baseline'] as const) : (['baseline', 'value'] as const);
      for (const which of order) {
        const ms = await time(probe[which]);
        if (round < 0) continue;
        samples[which].push(ms);
        samples.byProbe.get(probe.name)![which].push(ms);
      }
    }
  }
  return samples;
}

function logSamples(ctx: BenchContext, label: string, samples: Samples): void {
  for (const [name, s] of samples.byProbe) ctx.log(`  ${label} ${name.padEnd(22)} p95 ${fmt(percentile(s.value, 95)).padStart(7)} ms (raw SQL ${fmt(percentile(s.baseline, 95))} ms), median ${fmt(percentile(s.value, 50))} ms`);
  ctx.log(`  ${label} ${'all'.padEnd(22)} p95 ${fmt(percentile(samples.value, 95)).padStart(7)} ms (raw SQL ${fmt(percentile(samples.baseline, 95))} ms)`);
}

// --- inbox -----------------------------------------------------------------------------------------

/** The same SQL as listInbox for a filter (page and capped count, run at once as listInbox does). */
function rawInbox(pool: pg.Pool, filter: InboxFilter): () => Promise<unknown> {
  const params: unknown[] = [BIG_TENANT];
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = ['c.tenant_id = $1'];
  const status = filter.status ?? 'open';
  if (status === 'open') where.push(`c.status IN (${OPEN.map(p).join(', ')})`);
  else if (status !== 'all') where.push(`c.status = ${p(status)}`);
  if (filter.procedureId) where.push(`c.procedure_id = ${p(filter.procedureId)}`);
  if (filter.assignee === 'none') where.push('c.assignee_id IS NULL');
  else if (filter.assignee) where.push(`c.assignee_id = ${p(filter.assignee)}`);
  if (filter.overdue) where.push(`c.due_at < ${p(filter.now ?? NOW)}`, `c.status IN (${OPEN.map(p).join(', ')})`);
  if (filter.answered) where.push('c.answered_at IS NOT NULL');
  if (filter.reference) where.push(`c.reference = ${p(filter.reference.toUpperCase())}`);
  if (filter.nameTerms?.length) where.push(`c.applicant_terms @> ${p(filter.nameTerms)}::text[]`);
  const order = filter.sort === 'due' ? 'c.due_at ASC NULLS LAST, c.id' : filter.sort === 'oldest' ? 'c.submitted_at ASC, c.id ASC' : 'c.submitted_at DESC, c.id DESC';
  const page = `SELECT c.id, c.reference, op.name AS procedure_name, c.status, s.display_name AS assignee_name, c.answered_at, c.submitted_at, c.due_at, c.applicant_name_enc
    FROM cases c LEFT JOIN staff_accounts s ON s.id = c.assignee_id JOIN online_procedures op ON op.id = c.procedure_id
    WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${PAGE_SIZE} OFFSET 0`;
  const count = `SELECT count(*) AS n FROM (SELECT 1 AS one FROM cases c WHERE ${where.join(' AND ')} LIMIT 1001) capped`;
  return () => Promise.all([pool.query(page, params), pool.query(count, params)]);
}

function inboxProbes(database: Database, pool: pg.Pool): Probe[] {
  // A case of the big tenant that exists at either size, for the search by application number.
  const filters: [string, InboxFilter][] = [
    ['open, newest', { status: 'open' }],
    ['in progress', { status: 'in_progress' }],
    ['assigned to me', { status: 'open', assignee: ME }],
    ['one service', { status: 'open', procedureId: ids.procedure(0, 2) }],
    ['overdue, by due date', { status: 'open', overdue: true, sort: 'due' }],
    ['answered', { status: 'open', answered: true }],
    ['application number', { status: 'all', reference: referenceOf(5000).toLowerCase() }],
    ['applicant name', { status: 'all', nameTerms: ['t42'] }],
  ];
  return filters.map(([name, f]) => {
    const filter: InboxFilter = { sort: 'newest', now: NOW, ...f };
    return { name, value: () => listInbox(database.db, BIG_TENANT, filter, { limit: PAGE_SIZE, offset: 0 }), baseline: rawInbox(pool, filter) };
  });
}

// --- mailbox ---------------------------------------------------------------------------------------

const tenantKeys = createTenantKeys(createFieldCipher(randomBytes(32)));
const noMail = { queue: () => Promise.reject(new Error('bench: no mail expected')) } as unknown as MailService;

/**
 * The measured applicant: 40 case threads with five messages each from the authority (all unread),
 * written by the mailbox module itself so that subjects and bodies are really encrypted.
 */
async function createMeasuredOwner(database: Database, pool: pg.Pool): Promise<{ threads: { tenantId: string; threadId: string }[] }> {
  await pool.query(`INSERT INTO citizen_accounts (id, bpk2_hash, last_trust_level) VALUES ($1, 'bench-owner', 'substantiell')`, [OWNER]);
  const caseIndexes = Array.from({ length: 50 }, (_, n) => n + 1).filter((i) => i % CASES_PER_THREAD !== 0);
  const caseIds = caseIndexes.map(ids.case);
  await pool.query('UPDATE applications SET account_id = $1 WHERE id = ANY($2)', [OWNER, caseIds]);
  await pool.query('UPDATE cases SET account_id = $1 WHERE id = ANY($2)', [OWNER, caseIds]);
  const deps = { tenantKeys, cipher: createFieldCipher(randomBytes(32)), mail: noMail, publicUrl: 'http://127.0.0.1' };
  const threads: { tenantId: string; threadId: string }[] = [];
  for (const i of caseIndexes) {
    const tenantId = ids.tenant(tenantOfCase(i));
    const threadId = await database.db.transaction().execute(async (tx) => {
      const id = await ensureCaseThread(tx, deps, { tenantId, caseId: ids.case(i), accountId: OWNER, organisationId: null, subject: `Ihr Antrag ${referenceOf(i)}` });
      for (let m = 1; m <= 5; m++) {
        await postToApplicant(tx, deps, { tenantId, threadId: id, kind: 'message', senderStaffId: ids.staff(tenantOfCase(i), 1), body: `Nachricht ${m} zu Ihrem Antrag ${referenceOf(i)}: Bitte reichen Sie noch einen Nachweis ein.` });
      }
      return id;
    });
    threads.push({ tenantId, threadId });
  }
  return { threads };
}

function mailboxProbes(database: Database, pool: pg.Pool, threads: { tenantId: string; threadId: string }[]): { list: Probe[]; thread: Probe[]; unread: Probe[] } {
  const owner = { accountId: OWNER, organisationId: null };
  const list: Probe[] = [{
    name: 'thread list, page 1',
    value: () => listApplicantThreads(database.db, { tenantKeys }, owner, 1),
    baseline: () => pool.query(`
      SELECT mt.id, mt.tenant_id, mt.case_id, mt.subject_enc, mt.last_message_at, t.name AS tenant_name,
        (SELECT count(*)::int FROM mailbox_messages mm WHERE mm.thread_id = mt.id AND mm.direction = 'to_applicant' AND mm.read_at IS NULL) AS unread
      FROM mailbox_threads mt JOIN tenants t ON t.id = mt.tenant_id
      WHERE mt.account_id = $1 AND mt.organisation_id IS NULL
      ORDER BY mt.last_message_at DESC, mt.id DESC LIMIT 21 OFFSET 0`, [OWNER]),
  }];
  let next = 0;
  let nextRaw = 0;
  const thread: Probe[] = [{
    name: 'messages of a thread',
    value: () => {
      const t = threads[next++ % threads.length]!;
      return listThreadForStaff(database.db, { tenantKeys }, t.tenantId, t.threadId);
    },
    baseline: async () => {
      const t = threads[nextRaw++ % threads.length]!;
      await pool.query('SELECT * FROM mailbox_threads WHERE tenant_id = $1 AND id = $2', [t.tenantId, t.threadId]);
      const messages = await pool.query<{ id: string }>(`
        SELECT mm.id, mm.tenant_id, mm.thread_id, mm.direction, mm.kind, mm.sender_staff_id, s.display_name AS sender_staff_name, mm.sender_account_id,
          mm.trust_level, mm.body_enc, mm.read_at, mm.retrieved_at, mm.created_at
        FROM mailbox_messages mm LEFT JOIN staff_accounts s ON s.id = mm.sender_staff_id
        WHERE mm.tenant_id = $1 AND mm.thread_id = $2 ORDER BY mm.created_at, mm.id`, [t.tenantId, t.threadId]);
      for (const m of messages.rows) {
        await pool.query(`SELECT id, file_name_enc, media_type, size_bytes, sha256, created_at FROM uploads
          WHERE tenant_id = $1 AND owner_kind = 'mailbox-message' AND owner_id = $2 ORDER BY created_at, id`, [t.tenantId, m.id]);
      }
    },
  }];
  // The measured person, ten generated persons and five generated organisations (two threads each).
  const owners = [
    owner,
    ...Array.from({ length: 10 }, (_, n) => ({ accountId: ids.account(10 + n * 90), organisationId: null })),
    ...Array.from({ length: 5 }, (_, n) => ({ accountId: ids.account(0), organisationId: ids.organisation(5 + n * 15) })),
  ];
  const unread: Probe[] = owners.map((o, n) => ({
    name: n === 0 ? 'unread, measured person' : o.organisationId ? `unread, organisation ${n}` : `unread, person ${n}`,
    value: () => unreadCountForApplicant(database.db, o),
    baseline: () => o.organisationId
      ? pool.query(`SELECT count(*)::int AS n FROM mailbox_messages WHERE direction = 'to_applicant' AND read_at IS NULL AND organisation_id = $1`, [o.organisationId])
      : pool.query(`SELECT count(*)::int AS n FROM mailbox_messages WHERE direction = 'to_applicant' AND read_at IS NULL AND account_id = $1 AND organisation_id IS NULL`, [o.accountId]),
  }));
  return { list, thread, unread };
}

// --- the run ---------------------------------------------------------------------------------------

interface Figures {
  inbox: Samples;
  list: Samples;
  thread: Samples;
  unread: Samples;
}

async function measureAll(ctx: BenchContext, label: string, database: Database, pool: pg.Pool, threads: { tenantId: string; threadId: string }[]): Promise<Figures> {
  const mailbox = mailboxProbes(database, pool, threads);
  const figures = {
    inbox: await measure(inboxProbes(database, pool), ROUNDS),
    list: await measure(mailbox.list, ROUNDS * 4),
    thread: await measure(mailbox.thread, ROUNDS * 4),
    unread: await measure(mailbox.unread, ROUNDS / 2),
  };
  ctx.log(`${label}: p95 per query (function through Kysely, raw SQL through pg in brackets)`);
  logSamples(ctx, 'inbox  ', figures.inbox);
  logSamples(ctx, 'mailbox', figures.list);
  logSamples(ctx, 'mailbox', figures.thread);
  logSamples(ctx, 'mailbox', figures.unread);
  return figures;
}

/**
 * After a load: statistics and visibility map as autovacuum would leave them, and the dirty pages
 * written out now rather than by a checkpoint in the middle of the measurement.
 */
async function settle(pool: pg.Pool): Promise<void> {
  await pool.query('VACUUM ANALYZE');
  // CHECKPOINT needs superuser or pg_checkpoint; without, the server checkpoints on its own schedule.
  await pool.query('CHECKPOINT').catch(() => undefined);
}

async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const { url, drop } = await createScratchDatabase('case-processing', '');
  let database: Database | undefined;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle connection that the server ends (the scratch database is dropped WITH (FORCE)) must not crash the run.
  pool.on('error', () => undefined);
  try {
    database = await openDatabase({ databaseUrl: url, poolSize: 4 });
    await migrate(database);
    let started = performance.now();
    const client = await pool.connect();
    try {
      await client.query('SET synchronous_commit = off');
      await generateBase(client);
      await generateCases(client, 1, SMALL);
    } finally {
      client.release();
    }
    const { threads } = await createMeasuredOwner(database, pool);
    await settle(pool);
    ctx.log(`${SMALL.toLocaleString('en')} cases (${(SMALL / 10).toLocaleString('en')} in the large tenant) and ${SMALL.toLocaleString('en')} generated messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const small = await measureAll(ctx, `${SMALL.toLocaleString('en')} cases / messages`, database, pool, threads);

    started = performance.now();
    await bulkGenerateCases(pool, SMALL + 1, LARGE, { workers: 2, chunk: 50_000, log: ctx.log });
    await settle(pool);
    const counts = await pool.query<{ cases: number; messages: number; big: number }>(
      'SELECT (SELECT count(*) FROM cases)::int AS cases, (SELECT count(*) FROM mailbox_messages)::int AS messages, (SELECT count(*) FROM cases WHERE tenant_id = $1)::int AS big', [BIG_TENANT]);
    const c = counts.rows[0]!;
    ctx.log(`grown to ${c.cases.toLocaleString('en')} cases (${c.big.toLocaleString('en')} in the large tenant) and ${c.messages.toLocaleString('en')} messages in ${((performance.now() - started) / 1000).toFixed(1)} s (with VACUUM ANALYZE)`);
    const large = await measureAll(ctx, `${LARGE.toLocaleString('en')} cases / messages`, database, pool, threads);

    const p95 = (s: number[]) => percentile(s, 95);
    const results: BenchResult[] = [];
    const pair = (key: keyof Figures, name: string, what: string, goal: string) => {
      for (const [size, figures] of [['10k', small], ['1m', large]] as const) {
        results.push({
          name: `${name}-p95-${size}`, metric: 'p95_ms', value: p95(figures[key].value), baseline: p95(figures[key].baseline), better: 'lower',
          description: `p95 latency (ms) of ${what} with ${size === '10k' ? '10,000' : '1,000,000'} cases/messages, module function vs. the same SQL raw through pg${size === '1m' ? ` (goal: ≤ ${goal} ms)` : ''}`,
        });
      }
      results.push({
        name: `${name}-scaling`, metric: 'p95_ms_1m', value: p95(large[key].value), baseline: p95(small[key].value), better: 'lower',
        description: `p95 of ${what} with 1,000,000 vs. 10,000 cases/messages (ratio ≈ 1: the cost stays flat)`,
      });
    };
    pair('inbox', 'inbox-first-page', `listInbox, first page of the large tenant over ${large.inbox.byProbe.size} filters`, '20');
    pair('list', 'mailbox-thread-list', "listApplicantThreads, the applicant's first page of threads with unread counts (subjects decrypted)", '10');
    pair('thread', 'mailbox-messages', "listThreadForStaff, a thread's messages with attachments (bodies decrypted)", '10');
    pair('unread', 'mailbox-unread', 'unreadCountForApplicant over persons and organisations', '10');
    return results;
  } finally {
    await database?.close();
    await pool.end();
    await drop();
  }
}

export const benchmark: Benchmark = {
  name: 'case-processing',
  description: 'inbox first page and mailbox lists/unread counts at 10,000 and 1,000,000 cases/messages on PostgreSQL (BENCH_DATABASE_URL)',
  run,
};
