import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { Sandbox, SandboxAvailability, SandboxPolicy, SandboxRun } from '../../src/core/verify/sandbox';
import { createVerifier, type ScratchCopies, type ScratchCopy, type VerifierOptions } from '../../src/core/verify/verifyChange';
import { changeOf, plan, task } from '../fixtures/verify/changeFactory';

/** An in-memory scratch copy: records what was written and whether it was disposed. */
class MemoryScratch implements ScratchCopies {
  readonly created: { files: Map<string, string>; disposed: boolean }[] = [];
  constructor(private readonly workspace: Record<string, string>) {}
  create(): Promise<ScratchCopy> {
    const state = { files: new Map(Object.entries(this.workspace)), disposed: false };
    this.created.push(state);
    return Promise.resolve({
      dir: '/scratch/work', tmpDir: '/scratch/tmp', secretFiles: ['/ws/.env'],
      readFile: async (p) => (state.files.has(p) ? Buffer.from(state.files.get(p)!) : undefined),
      writeFile: async (p, c) => void state.files.set(p, c),
      dispose: async () => void (state.disposed = true),
    });
  }
}

class FakeSandbox implements Sandbox {
  readonly runs: { command: string; cwd: string; policy: SandboxPolicy; files?: Map<string, string> }[] = [];
  constructor(private readonly state: SandboxAvailability, private readonly result: SandboxRun | (() => Promise<SandboxRun>)) {}
  availability(): Promise<SandboxAvailability> {
    return Promise.resolve(this.state);
  }
  run(command: string, cwd: string, policy: SandboxPolicy): Promise<SandboxRun> {
    this.runs.push({ command, cwd, policy });
    return typeof this.result === 'function' ? this.result() : Promise.resolve(this.result);
  }
}

const OK: SandboxAvailability = { available: true, kind: 'bubblewrap' };
const base = 'exports.add = (a, b) => a + b;\n';
const workspace = { 'src/math.js': base };
const breaking = changeOf([{ path: 'src/math.js', base, proposed: 'exports.add = (a, b) => a - b;\n' }]);
const signal = new AbortController().signal;

function verifier(over: Partial<VerifierOptions>): ReturnType<typeof createVerifier> {
  return createVerifier({
    sandbox: new FakeSandbox(OK, { exitCode: 0, output: '', timedOut: false, violations: [] }),
    scratch: new MemoryScratch(workspace), workspaceRoot: () => '/ws', command: 'npm test', home: '/home/u', ...over,
  });
}

describe('createVerifier', () => {
  it('runs the command on a copy holding the proposed files, and reports failed tests', async () => {
    const scratch = new MemoryScratch(workspace);
    const sandbox = new FakeSandbox(OK, { exitCode: 1, output: '# pass 2\n# fail 1\n', timedOut: false, violations: [] });
    const result = await verifier({ sandbox, scratch })(plan, task, breaking, signal);
    assert.equal(result.status, 'failed');
    assert.equal(result.failedTests, 1);
    assert.equal(result.exitCode, 1);
    assert.equal(scratch.created[0]!.files.get('src/math.js'), 'exports.add = (a, b) => a - b;\n');
    assert.equal(scratch.created[0]!.disposed, true);
    assert.equal(sandbox.runs[0]!.cwd, '/scratch/work');
  });

  it('confines the run: writes only in the copy and its temp folder, secrets unreadable, no network', async () => {
    const sandbox = new FakeSandbox(OK, { exitCode: 0, output: '# fail 0\n', timedOut: false, violations: [] });
    const result = await verifier({ sandbox })(plan, task, breaking, signal);
    assert.equal(result.status, 'passed');
    const policy = sandbox.runs[0]!.policy;
    assert.deepEqual(policy.writable, ['/scratch/work', '/scratch/tmp']);
    for (const secret of ['/home/u/.ssh', '/home/u/.aws', '/home/u/.claude', '/home/u/.config/gcloud', '/home/u/.gnupg', '/ws/.env']) {
      assert.ok(policy.denyRead.includes(secret), secret);
    }
    assert.deepEqual(policy.allowedHosts, []);
  });

  it('never runs without a sandbox: unavailable, with the reason, and nothing copied', async () => {
    const scratch = new MemoryScratch(workspace);
    const unsandboxed = new FakeSandbox(OK, { exitCode: 0, output: '', timedOut: false, violations: [] });
    const sandbox = new FakeSandbox({ available: false, reason: 'bubblewrap_missing' }, { exitCode: 0, output: '', timedOut: false, violations: [] });
    const result = await verifier({ sandbox, scratch, unsandboxed })(plan, task, breaking, signal);
    assert.equal(result.status, 'unavailable');
    assert.equal(result.reason, 'bubblewrap_missing');
    assert.equal(sandbox.runs.length + unsandboxed.runs.length, 0);
    assert.equal(scratch.created.length, 0);
  });

  it('runs unsandboxed only when the workspace explicitly allowed it, and says so', async () => {
    const unsandboxed = new FakeSandbox(OK, { exitCode: 0, output: '', timedOut: false, violations: [] });
    const sandbox = new FakeSandbox({ available: false, reason: 'unsupported_platform' }, { exitCode: 0, output: '', timedOut: false, violations: [] });
    const result = await verifier({ sandbox, unsandboxed, allowUnsandboxed: true })(plan, task, breaking, signal);
    assert.equal(result.status, 'passed');
    assert.equal(result.reason, 'unsandboxed');
    assert.equal(unsandboxed.runs.length, 1);
  });

  it('refuses a change whose base is not what the copy holds', async () => {
    const scratch = new MemoryScratch({ 'src/math.js': 'changed since the Coder read it\n' });
    const sandbox = new FakeSandbox(OK, { exitCode: 0, output: '', timedOut: false, violations: [] });
    const result = await verifier({ sandbox, scratch })(plan, task, breaking, signal);
    assert.equal(result.status, 'error');
    assert.equal(result.reason, 'base_mismatch');
    assert.equal(result.output, 'src/math.js');
    assert.equal(sandbox.runs.length, 0);
    assert.equal(scratch.created[0]!.disposed, true);
  });

  it('refuses a path that leaves the workspace', async () => {
    const change = changeOf([{ path: '../outside.js', base: undefined, proposed: 'x' }]);
    const result = await verifier({})(plan, task, change, signal);
    assert.equal(result.status, 'error');
    assert.equal(result.reason, 'path_outside_workspace');
  });

  it('skips when the workspace has no verify command', async () => {
    const result = await verifier({ command: async () => undefined })(plan, task, breaking, signal);
    assert.equal(result.status, 'skipped');
  });

  it('removes the copy when the run is cancelled', async () => {
    const scratch = new MemoryScratch(workspace);
    const controller = new AbortController();
    const sandbox = new FakeSandbox(OK, async () => {
      controller.abort();
      return { exitCode: null, output: '', timedOut: false, violations: [] };
    });
    await assert.rejects(verifier({ sandbox, scratch })(plan, task, breaking, controller.signal), (e) => isHeliosError(e, 'cancelled'));
    assert.equal(scratch.created[0]!.disposed, true);
  });

  it('reports a sandbox that could not start the command as an error, not as a failing change', async () => {
    const scratch = new MemoryScratch(workspace);
    const sandbox = new FakeSandbox(OK, () => Promise.reject(new Error('bwrap: setting up uid map: Permission denied')));
    const result = await verifier({ sandbox, scratch })(plan, task, breaking, signal);
    assert.equal(result.status, 'error');
    assert.equal(result.reason, 'sandbox_failed');
    assert.match(result.output, /uid map/);
    assert.equal(scratch.created[0]!.disposed, true);
  });

  it('reports a timeout as a failure, with the violations the sandbox saw', async () => {
    const sandbox = new FakeSandbox(OK, { exitCode: null, output: 'partial', timedOut: true, violations: ['network_denied example.com:443'] });
    const result = await verifier({ sandbox })(plan, task, breaking, signal);
    assert.equal(result.status, 'failed');
    assert.equal(result.timedOut, true);
    assert.deepEqual(result.violations, ['network_denied example.com:443']);
  });
});
