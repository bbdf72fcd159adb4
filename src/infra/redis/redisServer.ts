import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throw-away `redis-server` (Debian's) on 127.0.0.1 and a free port, for the team-mode benchmark
 * and tests: no persistence, no daemon, its own empty directory (so no stray dump.rdb is loaded),
 * stopped at the end. `restart` brings it back on the same port, empty, as after an outage.
 */
export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** The `redis-server` on PATH, if any. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function startRedisServer(options: { readonly bin?: string; readonly port?: number; readonly extraArgs?: readonly string[] } = {}): Promise<RedisServerHandle> {
  const bin = options.bin ?? findRedisServer();
  if (!bin) throw new Error('redis-server is not on PATH (Debian: apt-get install redis-server)');
  const port = options.port ?? (await freePort());
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    // `stop` removed it: `restart` after `stop` is the outage test's "Redis comes back, empty".
    await fs.mkdir(dir, { recursive: true });
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, ...(options.extraArgs ?? [])];
    const started = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child = started;
    try {
      await untilPong(port, started, 5_000);
    } catch (error) {
      started.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}: ${(error as Error).message} ${stderr.trim()}`.trim(), { cause: error });
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      await stop();
      await start();
    },
    stop: async () => {
      await stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A port the kernel just handed out on 127.0.0.1 (free when this returns). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until the server answers PING with PONG (raw RESP, no client needed). */
async function untilPong(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    if (await pong(port)) return;
    if (Date.now() > deadline) throw new Error(`no PONG within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.setEncoding('utf8').on('data', (c: string) => {
      reply += c;
      // A server with a password answers NOAUTH: it is up all the same.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}
