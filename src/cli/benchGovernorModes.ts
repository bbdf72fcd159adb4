import { findRedisServer, startRedisServer, type RedisServerHandle } from '../infra/redis/redisServer';
import { CliUsageError, intFlag } from './cliArgs';
import { runProcessesBench, type ProcessesBenchOptions, type ProcessesBenchResult } from './benchGovernorProcesses';

/**
 * `bench governor --processes P`: P OS processes against one cap, in local mode (one account
 * directory) and then in team mode (one Redis: `--redis-url`, or a `redis-server` from PATH started
 * on 127.0.0.1 and a free port, stopped at the end). `--mode local|team` runs one of them.
 */
export async function runProcessesCommand(values: Record<string, string | boolean | undefined>): Promise<number> {
  const str = (k: string): string | undefined => { const v = values[k]; return typeof v === 'string' ? v : undefined; };
  const processes = intFlag('--processes', str('processes') ?? '', { min: 1, max: 64 });
  const calls = intFlag('--calls', str('calls'), { min: 1, max: 100_000, default: 100 });
  const concurrency = intFlag('--concurrency', str('concurrency'), { min: 1, max: 1_000, default: 20 });
  const cap = intFlag('--cap', str('cap') || undefined, { min: 1, default: 200_000 });
  const killOneAfterMs = intFlag('--kill-one-after-ms', str('kill-one-after-ms'), { min: 0 });
  const leaseMs = intFlag('--lease-ms', str('lease-ms'), { min: 100, default: 2_000 });
  const waitMs = intFlag('--wait-ms', str('wait-ms'), { min: 1, default: 3_000 });
  const mode = str('mode');
  if (mode !== undefined && mode !== 'local' && mode !== 'team') {
    throw new CliUsageError(`--mode must be local or team, not "${mode}" (see helios bench governor --help).`);
  }
  const redisUrl = str('redis-url');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const shape: Omit<ProcessesBenchOptions, 'redisUrl'> = {
    processes, calls, concurrency, cap, leaseMs, waitMs, cli: process.argv[1] ?? 'dist/cli.js', log,
    ...(killOneAfterMs !== undefined ? { killOneAfterMs } : {}),
  };
  const results: ProcessesBenchResult[] = [];
  if (mode !== 'team') results.push(await runProcessesBench(shape));
  let skipped: string | undefined;
  if (mode !== 'local') {
    if (!redisUrl && !findRedisServer()) {
      skipped = 'team mode skipped: redis-server is not on PATH (Debian: apt-get install redis-server) and no --redis-url was given';
      if (mode === 'team') throw new CliUsageError(`${skipped}.`);
      log(skipped);
    } else {
      let server: RedisServerHandle | undefined;
      try {
        if (!redisUrl) server = await startRedisServer();
        results.push(await runProcessesBench({ ...shape, redisUrl: redisUrl ?? server!.url }));
      } finally {
        await server?.stop();
      }
    }
  }
  if (values.json) {
    // One mode: its result. Both: local mode's result, with team mode's under `team`.
    const [first, second] = results;
    const json = second ? { ...first, team: second } : { ...first, ...(skipped ? { teamSkipped: skipped } : {}) };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(results.map(formatProcesses).join('\n'));
  }
  const broken = results.some((r) => r.overshoot > 0 || r.leakedReservations > 0 || r.doubledRecords > 0 || r.lostRecords > 0 || r.failed > 0);
  return broken ? 1 : 0;
}

export function formatProcesses(r: ProcessesBenchResult): string {
  const on = r.mode === 'team' ? `team mode, on one Redis (${r.where})` : 'local mode, on one account directory';
  return [
    `${r.processes} processes × ${r.callsPerProcess} calls, ${r.concurrency} in flight each, ${on} (cap ${r.cap.toLocaleString('en-US')} weighted tokens)`,
    `committed ${r.committed.toFixed(0)} of the cap · overshoot ${r.overshoot.toFixed(0)} · completed ${r.completed} · refused at the cap ${r.refused} · failed ${r.failed}`,
    `leaked reservations ${r.leakedReservations} · records doubled ${r.doubledRecords} · records lost ${r.lostRecords}`,
    ...(r.killed ? [`killed pid ${r.killed.pid} holding ${r.killed.held} reservation(s): they freed up ${r.killed.freedWithinMs === undefined ? 'never (!)' : `after ${r.killed.freedWithinMs} ms`} (lease ${r.killed.leaseMs} ms)`] : []),
    `admission latency while the account had room: p50 ${r.admissionMs.p50.toFixed(2)} ms · p99 ${r.admissionMs.p99.toFixed(2)} ms (${r.admissionMs.samples} calls)`,
    `${r.seconds.toFixed(1)} s`,
    '',
  ].join('\n');
}
