import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { AccountBoard } from '../core/governor/accountBoard';
import { DEFAULT_BUDGET, meterFor, type BudgetConfig } from '../core/governor/budgetPlans';
import { GovernedLlmClient } from '../core/governor/governedLlmClient';
import { Governor } from '../core/governor/governor';
import { windowAt } from '../core/governor/periods';
import { UsageRecordSchema, type UsageRecord } from '../core/usage/usageLedger';
import { AnthropicLlmClient } from '../infra/anthropic/anthropicClient';
import { FileAccountBoard } from '../infra/governor/fileAccountBoard';
import { RedisAccountBoard } from '../infra/governor/redisAccountBoard';
import { redactRedisUrl } from '../infra/redis/redisConnection';
import { JsonlFile } from '../infra/storage/jsonlFile';
import { ClaudeSimulator } from '../simulator/simulator';

/**
 * `bench governor --processes N`: N real OS processes (this CLI, `bench governor --worker`) spend
 * one account, each with `concurrency` calls in flight, through the real SDK and the simulator —
 * in local mode through one account directory, in team mode through one Redis. The cap is smaller
 * than what they ask for, so they compete for it. A call that has not been admitted after `waitMs`
 * gives up (the cap is reached); at the end the account's ledger must hold at most the cap, the
 * board no reservation, and every record once.
 */

export interface ProcessesBenchOptions {
  readonly processes: number;
  /** Calls per process. */
  readonly calls: number;
  /** Calls in flight per process. */
  readonly concurrency: number;
  readonly cap: number;
  /** How long a call waits for admission before it gives up. */
  readonly waitMs?: number;
  readonly leaseMs?: number;
  readonly speedUp?: number;
  /** Kill one process with SIGKILL this long after the start (the lease test). */
  readonly killOneAfterMs?: number;
  /** Team mode: the workers admit against this Redis (a namespace of their own), not a directory. */
  readonly redisUrl?: string;
  /** The CLI to spawn (dist/cli.js). */
  readonly cli: string;
  readonly log?: (line: string) => void;
}

export interface WorkerResult {
  readonly completed: number;
  readonly refused: number;
  readonly failed: number;
  /** Admission latency (ms) of calls admitted while the account had room. */
  readonly latencies: readonly number[];
  /** Request ids of the calls this worker settled. */
  readonly settled: readonly string[];
}

export interface ProcessesBenchResult {
  readonly mode: 'local' | 'team';
  /** The account directory, or the Redis URL without its password. */
  readonly where: string;
  readonly processes: number;
  readonly callsPerProcess: number;
  readonly concurrency: number;
  readonly cap: number;
  readonly committed: number;
  readonly overshoot: number;
  readonly completed: number;
  readonly refused: number;
  readonly failed: number;
  /** Live reservations left on the board after every process ended (must be 0; team: live `{ns}:res:*` keys). */
  readonly leakedReservations: number;
  /** Ledger records whose request id appears twice (must be 0). */
  readonly doubledRecords: number;
  /** Calls a process reported settled that the ledger lacks (must be 0). */
  readonly lostRecords: number;
  readonly killed?: { readonly pid: number; readonly held: number; readonly freedWithinMs: number | undefined; readonly leaseMs: number };
  readonly admissionMs: { readonly p50: number; readonly p99: number; readonly samples: number };
  readonly seconds: number;
}

const MODELS = ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5'] as const;

/** Where the workers meet, and how the parent reads what they left there. */
interface AccountBackend {
  readonly where: string;
  readonly workerArgs: readonly string[];
  /** Live reservations (owner `host:pid:…`). */
  reservations(): Promise<readonly { readonly owner: string }[]>;
  records(): Promise<UsageRecord[]>;
  close(): Promise<void>;
}

export async function runProcessesBench(options: ProcessesBenchOptions): Promise<ProcessesBenchResult> {
  const backend = options.redisUrl ? await teamBackend(options.redisUrl) : await localBackend();
  const sim = await ClaudeSimulator.start({ speedUp: options.speedUp ?? 200, limits: { requestsPerMinute: 1_000_000, inputTokensPerMinute: 1e12, outputTokensPerMinute: 1e12 } });
  const leaseMs = options.leaseMs ?? 2_000;
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  try {
    const children = Array.from({ length: options.processes }, (_, i) => {
      const args = [options.cli, 'bench', 'governor', '--worker', ...backend.workerArgs, '--sim-url', sim.url, '--calls', String(options.calls),
        '--concurrency', String(options.concurrency), '--cap', String(options.cap), '--wait-ms', String(options.waitMs ?? 3_000),
        '--lease-ms', String(leaseMs), '--seed', String(i + 1)];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_V8_COVERAGE: '' } });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      const done = new Promise<WorkerResult | undefined>((resolve) => child.once('close', () => {
        try {
          resolve(JSON.parse(out) as WorkerResult);
        } catch {
          resolve(undefined); // killed, or crashed: its records are checked in the ledger
        }
      }));
      return { child, done };
    });
    let killed: { pid: number; at: number; held: number } | undefined;
    const victim = children[0]!.child;
    const heldBy = async (pid: number) => (await backend.reservations()).filter((r) => r.owner.includes(`:${pid}:`)).length;
    if (options.killOneAfterMs !== undefined) {
      // Once the time has come, at the first moment the victim holds reservations: they must free up within the lease.
      setTimeout(() => {
        const aim = setInterval(() => {
          if (victim.pid === undefined || victim.exitCode !== null) return clearInterval(aim);
          void heldBy(victim.pid).then((held) => {
            if (held === 0 || killed || victim.pid === undefined) return;
            clearInterval(aim);
            victim.kill('SIGKILL');
            killed = { pid: victim.pid, at: Date.now(), held };
            log(`killed worker pid ${victim.pid} with SIGKILL while it held ${held} reservation(s)`);
          });
        }, 10);
      }, options.killOneAfterMs);
    }
    // While the victim's reservations still count, watch for the moment its lease frees them.
    let freedAt: number | undefined;
    let looking = false;
    const watch = setInterval(() => {
      // One look at a time: looks that pile up on a busy machine would report late.
      if (!killed || freedAt !== undefined || looking) return;
      looking = true;
      void heldBy(killed.pid).then((held) => {
        if (freedAt === undefined && held === 0) freedAt = Date.now();
      }).finally(() => (looking = false));
    }, 20);
    const results = await Promise.all(children.map((c) => c.done));
    // The survivors may finish before the victim's lease ends: watch until it has, and a little more.
    const killedAt = killed?.at;
    if (killedAt !== undefined) {
      while (freedAt === undefined && Date.now() < killedAt + leaseMs + 1_000) await new Promise((r) => setTimeout(r, 50));
    }
    clearInterval(watch);

    const records = await backend.records();
    const meter = meterFor(configFor(options.cap));
    const sorted = [...records].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
    const perWindow = new Map<number, number>();
    sorted.forEach((r, i) => {
      const start = windowAt(sorted.slice(0, i + 1), Date.parse(r.ts)).start;
      perWindow.set(start, (perWindow.get(start) ?? 0) + meter.unitsOf(r.model, r.usage));
    });
    const committed = Math.max(0, ...perWindow.values());
    const ids = records.map((r) => r.requestId).filter((id): id is string => id !== null);
    const inLedger = new Set(ids);
    const settled = results.flatMap((r) => r?.settled ?? []);
    const latencies = results.flatMap((r) => r?.latencies ?? []);
    const live = await backend.reservations();
    const sum = (f: (r: WorkerResult) => number) => results.reduce((n, r) => n + (r ? f(r) : 0), 0);
    return {
      mode: options.redisUrl ? 'team' : 'local', where: backend.where,
      processes: options.processes, callsPerProcess: options.calls, concurrency: options.concurrency, cap: options.cap,
      committed, overshoot: Math.max(0, committed - options.cap),
      completed: sum((r) => r.completed), refused: sum((r) => r.refused), failed: sum((r) => r.failed),
      leakedReservations: live.length,
      doubledRecords: ids.length - inLedger.size,
      lostRecords: settled.filter((id) => !inLedger.has(id)).length,
      ...(killed ? { killed: { pid: killed.pid, held: killed.held, freedWithinMs: freedAt === undefined ? undefined : freedAt - killed.at, leaseMs } } : {}),
      admissionMs: latencySummary(latencies),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await sim.stop();
    await backend.close();
  }
}

async function localBackend(): Promise<AccountBackend> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-account-'));
  return {
    where: dir,
    workerArgs: ['--account-dir', dir],
    reservations: async () => (await readReservations(dir)).filter((r) => r.expiresAt > Date.now()),
    records: async () => (await new JsonlFile<UsageRecord>(path.join(dir, 'ledger.jsonl'), (v) => UsageRecordSchema.parse(v)).readAll()).records,
    close: () => fs.rm(dir, { recursive: true, force: true }),
  };
}

/** A namespace of its own on the Redis, read through a board of its own; its keys go at the end. */
async function teamBackend(url: string): Promise<AccountBackend> {
  const namespace = `helios-bench-${randomBytes(4).toString('hex')}`;
  const observer = await RedisAccountBoard.open({ url, namespace });
  return {
    where: redactRedisUrl(url),
    workerArgs: ['--redis-url', url, '--redis-namespace', namespace],
    reservations: () => observer.liveReservations(),
    records: () => observer.readAll(),
    close: async () => {
      await observer.close();
      const redis = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `{${namespace}}:*`, 'COUNT', 1_000);
          cursor = next;
          if (keys.length > 0) await redis.unlink(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** One worker process: its calls through a governor on the shared account board (a directory, or Redis). */
export async function runGovernorWorker(options: {
  readonly accountDir: string; readonly simUrl: string; readonly calls: number; readonly concurrency: number;
  readonly cap: number; readonly waitMs: number; readonly leaseMs: number; readonly seed: number;
  readonly redisUrl?: string; readonly redisNamespace?: string;
}): Promise<WorkerResult> {
  let seed = options.seed;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const label = `bench worker ${process.pid}`;
  const board: AccountBoard & { idle(): Promise<void> } = options.redisUrl
    ? await RedisAccountBoard.open({ url: options.redisUrl, ...(options.redisNamespace ? { namespace: options.redisNamespace } : {}), leaseMs: options.leaseMs, label, originKind: 'bench' })
    : new FileAccountBoard({ dir: options.accountDir, leaseMs: options.leaseMs, label });
  const config = configFor(options.cap);
  // With a board the governor neither reads nor writes this ledger.
  const ledger = board instanceof FileAccountBoard ? new JsonlFile<UsageRecord>(board.ledgerFile, (v) => UsageRecordSchema.parse(v)) : { append: () => Promise.resolve(), readAll: () => Promise.resolve({ records: [], skipped: 0 }) };
  const governor = await Governor.create({ ledger, config, board });
  const latencies: number[] = [];
  const settled: string[] = [];
  let roomy = true;
  const client = new GovernedLlmClient(new AnthropicLlmClient({ apiKey: 'bench', baseURL: options.simUrl, provider: 'simulator', maxRetries: 4 }), governor, {
    workspace: `bench-${process.pid}`, now: () => new Date(),
    onAdmitted: (ms) => { if (roomy) latencies.push(ms); },
    onRecorded: (r) => { if (r.requestId) settled.push(r.requestId); },
  });
  let next = 0;
  let completed = 0;
  let refused = 0;
  let failed = 0;
  const worker = async () => {
    while (next < options.calls) {
      const i = next++;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), options.waitMs);
      const v = governor.view();
      // Latency is measured while the account has room: past half the cap calls wait for room, by design.
      roomy = v.used + v.reserved < options.cap / 2;
      try {
        await client.complete({
          model: MODELS[i % MODELS.length]!,
          system: [{ text: 'You are a benchmark.' }],
          messages: [{ role: 'user', content: [{ text: `Call ${process.pid}/${i}: ${'please answer briefly '.repeat(1 + Math.floor(rand() * 40))}` }] }],
          maxTokens: 200 + Math.floor(rand() * 1_800),
          signal: abort.signal,
        });
        completed++;
      } catch {
        if (abort.signal.aborted) refused++;
        else failed++;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  governor.dispose();
  // Releases of aborted calls are written before the process ends.
  await board.idle();
  await board.close?.();
  return { completed, refused, failed, latencies, settled };
}

function configFor(cap: number): BudgetConfig {
  return { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: cap, windowMessages: 0 };
}

async function readReservations(dir: string): Promise<{ owner: string; expiresAt: number }[]> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dir, 'reservations.json'), 'utf8')) as { reservations?: { owner: string; expiresAt: number }[] };
    return parsed.reservations ?? [];
  } catch {
    return [];
  }
}

export function latencySummary(samples: readonly number[]): { p50: number; p99: number; samples: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), samples: sorted.length };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
