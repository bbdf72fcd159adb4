import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultQueue } from './faults';
import type { SimulatorFault } from './faults';
import type { SimContext } from './messages';
import { PromptCache } from './promptCache';
import { DEFAULT_LIMITS, RateLimiter } from './rateLimiter';
import { RequestLog } from './requestLog';
import type { RecordedRequest } from './requestLog';
import { createRequestHandler } from './server';

export type { SimulatorFault } from './faults';
export type { RecordedRequest } from './requestLog';

/**
 * The embedded Claude simulator: a Messages API on 127.0.0.1 for the official SDK (`baseURL`).
 * It is Helios's offline provider and the provider of every test. See README.md.
 */

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Latency divisor: 1 is realistic (default), tests use ~1000; 0 or Infinity means no delay. */
  readonly speedUp?: number;
  readonly limits?: {
    readonly requestsPerMinute?: number;
    readonly inputTokensPerMinute?: number;
    readonly outputTokensPerMinute?: number;
  };
  /** Milliseconds; drives cache TTLs and rate-limit windows (default Date.now). */
  readonly clock?: () => number;
  readonly log?: (line: string) => void;
}

export class ClaudeSimulator {
  private readonly sockets = new Set<Socket>();
  private stopped: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly port: number,
    private readonly faults: FaultQueue,
    private readonly log: RequestLog,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: SimulatorOptions = {}): Promise<ClaudeSimulator> {
    const clock = options.clock ?? Date.now;
    const logLine = options.log ?? ((): void => undefined);
    const limits = { ...DEFAULT_LIMITS, ...stripUndefined(options.limits ?? {}) };
    const faults = new FaultQueue();
    const requests = new RequestLog();
    const ctx: SimContext = {
      speedUp: options.speedUp ?? 1,
      cache: new PromptCache(clock),
      limiter: new RateLimiter(limits, clock),
      countLimiter: new RateLimiter({ ...limits, inputTokensPerMinute: Infinity, outputTokensPerMinute: Infinity }, clock),
      faults,
    };
    const server = createServer(createRequestHandler({ ctx, faults, requests, clock, log: logLine }));
    // Claude Code sends ~100 KB bodies; keep the defaults generous but bounded.
    server.requestTimeout = 10 * 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    const sim = new ClaudeSimulator(server, port, faults, requests);
    logLine(`Claude simulator listening on ${sim.url}`);
    return sim;
  }

  /** `http://127.0.0.1:PORT`, the SDK's `baseURL`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  injectFault(fault: SimulatorFault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  get requests(): readonly RecordedRequest[] {
    return this.log.all;
  }

  /** Closes the listener and every open connection (including streams in progress). Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.stopped;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `helios sim [--port N] [--speed-up X] [--rpm N]`: runs the simulator in the foreground until
 * SIGINT/SIGTERM. Point the SDK or Claude Code at it with ANTHROPIC_BASE_URL.
 */

export interface SimulatorCliArgs {
  readonly port: number;
  readonly speedUp: number;
  readonly requestsPerMinute?: number;
  readonly quiet: boolean;
}

export function parseSimulatorArgs(argv: readonly string[]): SimulatorCliArgs | string {
  let port = 8787;
  let speedUp = 1;
  let requestsPerMinute: number | undefined;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): number => Number(inline ?? argv[++i]);
    if (flag === '--port') port = value();
    else if (flag === '--speed-up') speedUp = value();
    else if (flag === '--rpm') requestsPerMinute = value();
    else if (flag === '--quiet') quiet = true;
    else return `unknown argument: ${arg}`;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return '--port must be an integer from 0 to 65535';
  if (Number.isNaN(speedUp) || speedUp < 0) return '--speed-up must be a non-negative number (0 = no delay)';
  if (requestsPerMinute !== undefined && !(requestsPerMinute > 0)) return '--rpm must be a positive number';
  return { port, speedUp, quiet, ...(requestsPerMinute !== undefined ? { requestsPerMinute } : {}) };
}

export async function runSimulatorCli(argv: string[]): Promise<number> {
  const args = parseSimulatorArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\nusage: sim [--port N] [--speed-up X] [--rpm N] [--quiet]\n`);
    return 2;
  }
  const sim = await ClaudeSimulator.start({
    port: args.port,
    speedUp: args.speedUp,
    ...(args.requestsPerMinute !== undefined ? { limits: { requestsPerMinute: args.requestsPerMinute } } : {}),
    log: args.quiet ? undefined : (line) => process.stderr.write(`[sim] ${line}\n`),
  });
  process.stdout.write(`${sim.url}\n`);
  process.stdout.write(`export ANTHROPIC_BASE_URL=${sim.url} ANTHROPIC_API_KEY=sim-local\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await sim.stop();
  return 0;
}
