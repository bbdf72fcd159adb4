// A real VS Code in your browser with the freshly packaged Helios installed, for trying it out:
//
//   npm run sandbox                 # packages helios-0.1.0.vsix, then runs this script
//   node scripts/sandbox.mjs [--port 8080] [--vsix path/to.vsix] [--simulator]
//
// Everything lives in .sandbox/ (git-ignored): user-data/ and extensions/ for code-server, and
// workspace/, a copy of test/fixtures/workspace made on first run and kept afterwards so your
// edits and plans survive restarts (delete it to start over). Ctrl+C stops code-server.
// With no ANTHROPIC_API_KEY in your environment Helios uses its embedded simulator; --simulator
// forces that even when a key is set.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { codeServerArgs, codeServerEnv, installVsix, setupCodeServer } from './setupCodeServer.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sandboxDir = path.join(repoRoot, '.sandbox');
const DEFAULT_PORT = 8080;
const START_TIMEOUT_MS = 120_000;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    vsix: { type: 'string', default: path.join(repoRoot, 'helios-0.1.0.vsix') },
    simulator: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: node scripts/sandbox.mjs [--port N] [--vsix FILE] [--simulator]');
  process.exit(0);
}

const log = (line) => console.log(`[sandbox] ${line}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function anyFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function choosePort() {
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${values.port} is not a port number`);
    if (!(await portIsFree(port))) throw new Error(`port ${port} on 127.0.0.1 is in use; pick another with --port`);
    return port;
  }
  return (await portIsFree(DEFAULT_PORT)) ? DEFAULT_PORT : anyFreePort();
}

async function main() {
  const vsix = path.resolve(values.vsix);
  if (!existsSync(vsix)) throw new Error(`${vsix} not found: run \`npm run sandbox\` (it packages Helios first) or \`npm run package\``);

  await setupCodeServer({ log });
  const userDataDir = path.join(sandboxDir, 'user-data');
  const extensionsDir = path.join(sandboxDir, 'extensions');
  const workspace = path.join(sandboxDir, 'workspace');
  const configHome = path.join(sandboxDir, 'config');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  if (!existsSync(workspace)) {
    cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
    log(`copied the example workspace to ${path.relative(repoRoot, workspace)}/`);
  }
  const env = codeServerEnv({ configHome, keepApiKey: !values.simulator });
  log(`installing ${path.relative(repoRoot, vsix)}…`);
  installVsix({ vsix, userDataDir, extensionsDir, env });

  const port = await choosePort();
  const child = spawn(process.execPath, codeServerArgs({ port, userDataDir, extensionsDir, workspace }), {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true, // its own process group, so stopping it also stops the extension host
  });
  let exitCode;
  child.on('exit', (code, signal) => (exitCode = code ?? (signal ? 1 : 0)));

  const killGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  let stopping = false;
  const stop = async (reason) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping code-server…`);
    killGroup('SIGTERM');
    for (let i = 0; i < 50 && exitCode === undefined; i++) await sleep(100);
    killGroup('SIGKILL');
    rmSync(path.join(userDataDir, 'code-server-ipc.sock'), { force: true });
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl+C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
  process.on('exit', () => killGroup('SIGKILL'));

  const base = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`code-server exited with ${exitCode} before it answered`);
    try {
      await fetch(`${base}healthz`, { signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        killGroup('SIGKILL');
        throw new Error(`code-server did not answer on ${base} within ${START_TIMEOUT_MS / 1000} s`);
      }
      await sleep(250);
    }
  }
  const url = `${base}?folder=${encodeURI(workspace)}`;
  console.log('');
  console.log(`  Helios sandbox is running. Open this in your browser:`);
  console.log('');
  console.log(`    ${url}`);
  console.log('');
  console.log(`  Then: open PRD.md and run "Helios: Decompose PRD" from the Command Palette (F1).`);
  console.log(`  Press Ctrl+C here to stop.`);
  console.log('');

  await new Promise((resolve) => child.on('exit', resolve));
  if (!stopping) {
    log(`code-server exited on its own (code ${exitCode})`);
    process.exit(exitCode ?? 1);
  }
}

main().catch((err) => {
  console.error(`[sandbox] ${err.message}`);
  process.exit(1);
});
