import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promises as fs, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultPolicy } from '../../src/core/verify/sandbox';
import { createVerifier } from '../../src/core/verify/verifyChange';
import { createWorkspaceVerifier } from '../../src/infra/sandbox/workspaceVerifier';
import { cleanupStale, ScratchCopier } from '../../src/infra/sandbox/scratchCopy';
import { shutdownSandboxRuntime, SrtSandbox } from '../../src/infra/sandbox/srtSandbox';
import { changeOf, plan, task } from '../fixtures/verify/changeFactory';

/**
 * The verify step against the real sandbox runtime on this machine (bubblewrap + socat): a
 * fixture project with node:test tests, copied to a temp git repository per suite.
 */

const FIXTURE = path.resolve('test/fixtures/verify/nodeProject');
const MATH = readFileSync(path.join(FIXTURE, 'src/math.js'), 'utf8');

let tmp: string;
let workspace: string;
let home: string;
let scratchRoot: string;
const sandbox = new SrtSandbox();

/** Every file under a folder (`.git` included) with its hash: the user's tree, byte for byte. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else out.set(child, createHash('sha256').update(readFileSync(path.join(dir, child))).digest('hex'));
    }
  };
  walk('');
  return out;
}

function git(...args: string[]): void {
  execFileSync('git', ['-C', workspace, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { stdio: 'ignore' });
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-sandbox-test-'));
  workspace = path.join(tmp, 'ws');
  home = path.join(tmp, 'home');
  scratchRoot = path.join(tmp, 'scratch');
  await fs.mkdir(scratchRoot);
  await fs.cp(FIXTURE, workspace, { recursive: true });
  await fs.writeFile(path.join(workspace, '.gitignore'), '.env\n');
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'fixture');
  // Uncommitted, like a user mid-edit: the change's base is this, not HEAD.
  await fs.writeFile(path.join(workspace, 'src/math.js'), `${MATH}// edited, not committed\n`);
  await fs.writeFile(path.join(workspace, '.env'), 'API_KEY=fixture-secret\n');
  await fs.mkdir(path.join(home, '.ssh'), { recursive: true });
  await fs.writeFile(path.join(home, '.ssh/id_rsa'), 'FAKE PRIVATE KEY\n');
});

after(async () => {
  await shutdownSandboxRuntime();
  await fs.rm(tmp, { recursive: true, force: true });
});

function verifierFor(command: string): ReturnType<typeof createVerifier> {
  return createVerifier({ sandbox, scratch: new ScratchCopier({ root: scratchRoot }), workspaceRoot: () => workspace, command, home, policy: { timeoutMs: 30_000 } });
}

describe('sandboxed verification (real runtime)', () => {
  it('is available on this machine', async () => {
    assert.deepEqual(await sandbox.availability(), { available: true, kind: 'bubblewrap' });
  });

  it('catches a proposal that breaks a test, passes one that does not, and leaves the user\'s files byte-identical', async () => {
    const before = snapshot(workspace);
    const current = await fs.readFile(path.join(workspace, 'src/math.js'), 'utf8');
    const broken = changeOf([{ path: 'src/math.js', base: current, proposed: current.replace('a * b', 'a + b') }]);
    const failed = await verifierFor('npm test')(plan, task, broken, new AbortController().signal);
    assert.equal(failed.status, 'failed', failed.output);
    assert.equal(failed.failedTests, 1);
    assert.match(failed.output, /not ok \d+ - multiply/);

    const fine = changeOf([
      { path: 'src/math.js', base: current, proposed: `${current}\nmodule.exports.square = (a) => a * a;\n` },
      { path: 'test/square.test.js', base: undefined, proposed: "require('node:test')('square', () => require('node:assert').equal(require('../src/math.js').square(3), 9));\n" },
    ]);
    const passed = await verifierFor('npm test')(plan, task, fine, new AbortController().signal);
    assert.equal(passed.status, 'passed', passed.output);
    assert.equal(passed.failedTests, 0);
    assert.deepEqual(snapshot(workspace), before);
    assert.deepEqual(await fs.readdir(scratchRoot), [], 'scratch copies removed');
  });

  it('refuses a change based on content the workspace no longer has', async () => {
    const stale = changeOf([{ path: 'src/math.js', base: MATH, proposed: 'x' }]);
    const result = await verifierFor('npm test')(plan, task, stale, new AbortController().signal);
    assert.equal(result.status, 'error');
    assert.equal(result.reason, 'base_mismatch');
  });

  it('stops writes outside the copy, reads of ~/.ssh and .env, and network access, and reports each', async () => {
    const outside = path.join(tmp, 'escaped.txt');
    const command = [
      `echo pwned > ${outside}`,
      `cat ${path.join(home, '.ssh/id_rsa')}`,
      `cat ${path.join(workspace, '.env')}`,
      'curl -sS -m 10 https://example.com -o /dev/null',
      'echo inside > ok.txt && echo wrote-inside',
    ].join('; ');
    const current = await fs.readFile(path.join(workspace, 'src/math.js'), 'utf8');
    const result = await verifierFor(command)(plan, task, changeOf([{ path: 'src/math.js', base: current, proposed: current }]), new AbortController().signal);
    assert.doesNotMatch(result.output, /FAKE PRIVATE KEY|fixture-secret/);
    assert.match(result.output, /wrote-inside/);
    await assert.rejects(fs.access(outside));
    assert.ok(result.violations.includes(`write_denied ${outside}`), result.violations.join('\n'));
    assert.ok(result.violations.includes(`read_denied ${path.join(home, '.ssh/id_rsa')}`), result.violations.join('\n'));
    assert.ok(result.violations.some((v) => v.startsWith('read_denied ') && v.endsWith('.env')), result.violations.join('\n'));
    assert.ok(result.violations.includes('network_denied example.com:443'), result.violations.join('\n'));
  });

  it('reaches a host only when the run names it', async () => {
    // A server on the host's loopback: outside the sandbox's network namespace, reachable only
    // through the runtime's proxy, which allows an IP literal only when it is listed.
    const server = http.createServer((_req, res) => res.end('hello-from-host')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const dir = await fs.mkdtemp(path.join(tmp, 'net-'));
      const command = `curl -sS -m 5 --noproxy '' http://${host}/`;
      const denied = await sandbox.run(command, dir, defaultPolicy({ scratchDir: dir, tmpDir: dir, home }));
      assert.doesNotMatch(denied.output, /hello-from-host/);
      assert.deepEqual(denied.violations, [`network_denied ${host}`]);
      const allowed = await sandbox.run(command, dir, defaultPolicy({ scratchDir: dir, tmpDir: dir, home, allowedHosts: [host] }));
      assert.equal(allowed.output, 'hello-from-host');
      assert.deepEqual(allowed.violations, []);
    } finally {
      server.close();
    }
  });

  it('verifies changes in parallel, each in its own copy', async () => {
    const current = await fs.readFile(path.join(workspace, 'src/math.js'), 'utf8');
    const verify = verifierFor('npm test');
    const [broken, fine] = await Promise.all([
      verify(plan, task, changeOf([{ path: 'src/math.js', base: current, proposed: current.replace('a + b', 'a - b') }]), new AbortController().signal),
      verify(plan, task, changeOf([{ path: 'src/math.js', base: current, proposed: `${current}// harmless\n` }]), new AbortController().signal),
    ]);
    assert.equal(broken.status, 'failed');
    assert.equal(broken.failedTests, 2);
    assert.equal(fine.status, 'passed', fine.output);
  });

  it('kills the whole process tree on cancellation, leaving no process behind', async () => {
    const marker = `${randomInt(1e6, 2e6)}.5`;
    const dir = await fs.mkdtemp(path.join(tmp, 'cancel-'));
    const policy = defaultPolicy({ scratchDir: dir, tmpDir: dir, home });
    const controller = new AbortController();
    const running = sandbox.run(`sleep ${marker} & sleep ${marker} & (sleep ${marker} &) ; echo started; wait`, dir, policy, controller.signal);
    await waitFor(() => sleepers(marker) >= 3);
    assert.equal(sleepers(marker), 3, 'the command and its background children are running');
    controller.abort();
    const run = await running;
    assert.equal(run.exitCode, null);
    await waitFor(() => sleepers(marker) === 0);
    assert.equal(sleepers(marker), 0);
  });

  it('stops a command at its time limit', async () => {
    const dir = await fs.mkdtemp(path.join(tmp, 'timeout-'));
    const run = await sandbox.run('sleep 30', dir, { ...defaultPolicy({ scratchDir: dir, tmpDir: dir, home }), timeoutMs: 500 });
    assert.equal(run.timedOut, true);
    assert.equal(run.exitCode, null);
  });

  it('reports unavailable with the reason when bubblewrap or socat is not on PATH', async () => {
    const empty = await fs.mkdtemp(path.join(tmp, 'path-'));
    assert.deepEqual(await new SrtSandbox({ env: { ...process.env, PATH: empty } }).availability(), { available: false, reason: 'bubblewrap_missing' });
    await fs.symlink('/usr/bin/bwrap', path.join(empty, 'bwrap'));
    assert.deepEqual(await new SrtSandbox({ env: { ...process.env, PATH: empty } }).availability(), { available: false, reason: 'socat_missing' });
    assert.deepEqual(await new SrtSandbox({ platform: 'win32' }).availability(), { available: false, reason: 'unsupported_platform', detail: 'win32' });
    const result = await createVerifier({
      sandbox: new SrtSandbox({ env: { ...process.env, PATH: path.join(tmp, 'nowhere') } }), scratch: new ScratchCopier({ root: scratchRoot }),
      workspaceRoot: () => workspace, command: 'npm test', home,
    })(plan, task, changeOf([]), new AbortController().signal);
    assert.equal(result.status, 'unavailable');
    assert.equal(result.reason, 'bubblewrap_missing');
  });

  it('--verify: no flag, no hook; `auto` detects the project\'s tests and runs them sandboxed', async () => {
    assert.equal(createWorkspaceVerifier(undefined, workspace), undefined);
    const hook = createWorkspaceVerifier('auto', workspace);
    assert.ok(hook);
    const result = await hook(plan, task, changeOf([]), new AbortController().signal);
    assert.equal(result.status, 'passed', result.output);
    assert.equal(result.command, 'npm test');
    assert.equal(result.failedTests, 0);
  });

  it('removes copies left by a process that is gone, and keeps live ones', async () => {
    const dead = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const stale = path.join(scratchRoot, `helios-verify-${dead}-abc`);
    await fs.mkdir(path.join(stale, 'work'), { recursive: true });
    await fs.writeFile(path.join(stale, 'helios-scratch.json'), JSON.stringify({ pid: Number(dead) }));
    const copy = await new ScratchCopier({ root: scratchRoot }).create(workspace);
    try {
      assert.deepEqual(await cleanupStale(scratchRoot), [stale]);
      await fs.access(copy.dir);
    } finally {
      await copy.dispose();
    }
  });
});

/** Live processes whose command line carries the marker. */
function sleepers(marker: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const state = /State:\s+(\w)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (cmd.startsWith('sleep\0') && cmd.includes(marker) && state !== 'Z') n += 1;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return n;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
