import { intFlag, numberFlag, parseFlags } from './cliArgs';
import { DEFAULT_BUDGET, meterFor, type BudgetConfig } from '../core/governor/budgetPlans';
import { GovernedLlmClient } from '../core/governor/governedLlmClient';
import { Governor, type GovernorClock } from '../core/governor/governor';
import { windowAt } from '../core/governor/periods';
import type { UsageLedger, UsageRecord } from '../core/usage/usageLedger';
import { AnthropicLlmClient } from '../infra/anthropic/anthropicClient';
import { ClaudeSimulator } from '../simulator/simulator';
import { latencySummary, runGovernorWorker } from './benchGovernorProcesses';
import { runProcessesCommand } from './benchGovernorModes';

export interface GovernorBenchOptions {
  readonly calls: number;
  readonly concurrency: number;
  /** Cap per 5-hour window in weighted tokens. */
  readonly cap: number;
  /** Share of calls that meet an injected 429 or 529 (the SDK retries them). */
  readonly faultRate?: number;
  /** Share of calls aborted by their caller while waiting or in flight. */
  readonly abortRate?: number;
  readonly seed?: number;
  readonly speedUp?: number;
}

export interface GovernorBenchResult {
  readonly calls: number;
  readonly concurrency: number;
  readonly cap: number;
  /** Settled units of the fullest window. */
  readonly committed: number;
  /** How far the fullest window went past the cap (0 = never). */
  readonly overshoot: number;
  readonly windows: number;
  readonly completed: number;
  readonly aborted: number;
  readonly failed: number;
  /** Reservations still held at the end (must be 0). */
  readonly leakedReservations: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  /** Admission latency of calls admitted while the window had room (the in-process baseline of `--processes`). */
  readonly admissionMs: { readonly p50: number; readonly p99: number; readonly samples: number };
}

/**
 * A clock for the bench: real time plus jumps. When every remaining call waits for the next
 * 5-hour window, the bench jumps to it instead of waiting five hours.
 */
class JumpClock implements GovernorClock {
  offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  setTimer(ms: number, fn: () => void): { cancel(): void } {
    const handle = setTimeout(fn, Math.min(ms, 2 ** 31 - 1));
    return { cancel: () => clearTimeout(handle) };
  }
}

class BenchLedger implements UsageLedger {
  readonly records: UsageRecord[] = [];
  append(record: UsageRecord): Promise<void> {
    this.records.push(record);
    return Promise.resolve();
  }
  readAll(): Promise<{ records: UsageRecord[]; skipped: number }> {
    return Promise.resolve({ records: [...this.records], skipped: 0 });
  }
}

const MODELS = ['claude-haiku-5-5', 'claude-sonnet-5-5', 'claude-opus-5-5'] as const;

/**
 * M calls with N in flight through the real SDK against the simulator, every one admitted and
 * settled by the governor. Reports the fullest window's committed usage against the cap.
 */
export async function runGovernorBench(options: GovernorBenchOptions): Promise<GovernorBenchResult> {
  let seed = options.seed ?? 1;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const sim = await ClaudeSimulator.start({ speedUp: options.speedUp ?? 200, limits: { requestsPerMinute: 1_000_000, inputTokensPerMinute: 1e12, outputTokensPerMinute: 1e12 } });
  const clock = new JumpClock();
  const ledger = new BenchLedger();
  const config: BudgetConfig = { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: options.cap, windowMessages: 0 };
  const governor = await Governor.create({ ledger, config, clock });
  const sdk = new AnthropicLlmClient({ apiKey: 'bench', baseURL: sim.url, provider: 'simulator', maxRetries: 4 });
  const latencies: number[] = [];
  const client = new GovernedLlmClient(sdk, governor, {
    workspace: 'bench', now: () => new Date(clock.now()),
    onAdmitted: (ms) => {
      const v = governor.view();
      if (v.used + v.reserved < options.cap / 2) latencies.push(ms);
    },
  });

  let active = 0;
  // Every caller waiting means no settlement can free budget: move to the next window.
  const jumper = setInterval(() => {
    const v = governor.view();
    if (v.inFlight === 0 && v.waiting > 0 && v.waiting === active) {
      clock.offset += v.period.end - clock.now() + 1;
      governor.setConfig(config);
    }
  }, 5);

  let next = 0;
  let completed = 0;
  let aborted = 0;
  let failed = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < options.calls) {
      const i = next++;
      const abort = new AbortController();
      if (rand() < (options.abortRate ?? 0)) setTimeout(() => abort.abort(), rand() * 30);
      if (rand() < (options.faultRate ?? 0)) sim.injectFault({ kind: 'status', status: rand() < 0.5 ? 429 : 529, retryAfterSeconds: 0 });
      active++;
      try {
        await client.complete({
          model: MODELS[i % MODELS.length]!,
          system: [{ text: 'You are a benchmark.' }],
          messages: [{ role: 'user', content: [{ text: `Call ${i}: ${'please answer briefly '.repeat(1 + Math.floor(rand() * 40))}` }] }],
          maxTokens: 200 + Math.floor(rand() * 1_800),
          signal: abort.signal,
        });
        completed++;
      } catch {
        if (abort.signal.aborted) aborted++;
        else failed++;
      } finally {
        active--;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearInterval(jumper);
    await sim.stop();
  }
  const seconds = (Date.now() - started) / 1000;

  // Group the settled records into their windows, as the governor saw them.
  const meter = meterFor(config);
  const perWindow = new Map<number, number>();
  const sorted = [...ledger.records].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  sorted.forEach((r, i) => {
    const start = windowAt(sorted.slice(0, i + 1), Date.parse(r.ts)).start;
    perWindow.set(start, (perWindow.get(start) ?? 0) + meter.unitsOf(r.model, r.usage));
  });
  const committed = Math.max(0, ...perWindow.values());
  const result: GovernorBenchResult = {
    calls: options.calls,
    concurrency: options.concurrency,
    cap: options.cap,
    committed,
    overshoot: Math.max(0, committed - options.cap),
    windows: perWindow.size,
    completed,
    aborted,
    failed,
    leakedReservations: governor.view().inFlight,
    seconds,
    callsPerSecond: options.calls / seconds,
    admissionMs: latencySummary(latencies),
  };
  governor.dispose();
  return result;
}

export const benchGovernorCommand = {
  usage: 'bench governor [--concurrency N] [--calls M] [--cap C] [--fault-rate F] [--abort-rate A] [--processes P [--mode local|team] [--redis-url URL]] [--json]',
  async run(argv: string[]): Promise<number> {
    const { values } = parseFlags('bench governor', {
      args: argv,
      options: {
        concurrency: { type: 'string', default: '20' },
        calls: { type: 'string', default: '1000' },
        cap: { type: 'string', default: '' },
        'fault-rate': { type: 'string', default: '0' },
        'abort-rate': { type: 'string', default: '0' },
        processes: { type: 'string' },
        'kill-one-after-ms': { type: 'string' },
        'lease-ms': { type: 'string' },
        'wait-ms': { type: 'string' },
        // With --processes: run one mode only; team mode on this Redis instead of a redis-server of its own.
        mode: { type: 'string' },
        'redis-url': { type: 'string' },
        // A worker process of --processes (internal).
        worker: { type: 'boolean', default: false },
        'account-dir': { type: 'string' },
        'sim-url': { type: 'string' },
        'redis-namespace': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (values.worker) {
      const result = await runGovernorWorker({
        accountDir: values['account-dir'] ?? '', simUrl: values['sim-url'] ?? '', seed: intFlag('--seed', values.seed, { min: 0, default: 1 }),
        ...(values['redis-url'] ? { redisUrl: values['redis-url'] } : {}), ...(values['redis-namespace'] ? { redisNamespace: values['redis-namespace'] } : {}),
        calls: intFlag('--calls', values.calls, { min: 1, max: 10_000_000, default: 100 }), concurrency: intFlag('--concurrency', values.concurrency, { min: 1, max: 10_000, default: 20 }),
        cap: intFlag('--cap', values.cap, { min: 1 }), waitMs: intFlag('--wait-ms', values['wait-ms'], { min: 1, default: 3_000 }), leaseMs: intFlag('--lease-ms', values['lease-ms'], { min: 100, default: 2_000 }),
      });
      process.stdout.write(JSON.stringify(result));
      return 0;
    }
    if (values.processes !== undefined) return runProcessesCommand(values);
    const caps = values.cap ? values.cap.split(',').map((c) => intFlag('--cap', c, { min: 1 })) : [50_000, 200_000, 1_000_000];
    const shape = {
      calls: intFlag('--calls', values.calls, { min: 1, max: 10_000_000, default: 1000 }),
      concurrency: intFlag('--concurrency', values.concurrency, { min: 1, max: 10_000, default: 20 }),
      faultRate: numberFlag('--fault-rate', values['fault-rate'], { min: 0, max: 1, default: 0 }),
      abortRate: numberFlag('--abort-rate', values['abort-rate'], { min: 0, max: 1, default: 0 }),
    };
    const results: GovernorBenchResult[] = [];
    for (const cap of caps) results.push(await runGovernorBench({ ...shape, cap }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
    } else {
      process.stdout.write('cap (weighted tokens)  committed (fullest window)  overshoot  windows  completed  aborted  failed  calls/s\n');
      for (const r of results) {
        process.stdout.write(`${String(r.cap).padStart(21)}  ${r.committed.toFixed(0).padStart(26)}  ${r.overshoot.toFixed(0).padStart(9)}  ${String(r.windows).padStart(7)}  ${String(r.completed).padStart(9)}  ${String(r.aborted).padStart(7)}  ${String(r.failed).padStart(6)}  ${r.callsPerSecond.toFixed(1).padStart(7)}\n`);
      }
    }
    if (!values.json) for (const r of results) process.stdout.write(`admission latency (cap ${r.cap}, in one process, no account board): p50 ${r.admissionMs.p50.toFixed(2)} ms · p99 ${r.admissionMs.p99.toFixed(2)} ms (${r.admissionMs.samples} calls)\n`);
    return results.some((r) => r.overshoot > 0 || r.leakedReservations > 0) ? 1 : 0;
  },
};
