import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isHeliosError } from '../../src/core/errors/heliosError';
import type { LlmRequest } from '../../src/core/llm/llmClient';
import { ClaudeCodeLlmClient } from '../../src/infra/claudeCode/claudeCodeClient';
import { DEFAULT_BUDGET } from '../../src/core/governor/budgetPlans';
import { GovernedLlmClient } from '../../src/core/governor/governedLlmClient';
import { Governor } from '../../src/core/governor/governor';
import { MemoryLedger } from '../support/memoryLedger';

/**
 * Outcomes the simulator cannot make the real binary print (a Pro/Max limit notice needs a
 * claude.ai login) or that need a broken binary: a fake `claude` script prints recorded Claude
 * Code output (2.1.197 shapes) and dumps its environment and arguments.
 */

let dir: string;
let fake: string;

const FAKE = `#!${process.execPath}
const fs = require('node:fs');
if (process.argv.includes('--version')) { console.log(process.env.FAKE_VERSION || '2.1.197 (Claude Code)'); process.exit(0); }
if (process.env.FAKE_ESCAPE) {
  // A helper in its own session holding our stdout: out of reach of a kill of our process group.
  const helper = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { detached: true, stdio: ['ignore', 1, 2] });
  fs.writeFileSync(process.env.FAKE_ESCAPE, String(helper.pid));
  setInterval(() => {}, 1000);
  return;
}
fs.writeFileSync(process.env.FAKE_DUMP, JSON.stringify({ env: process.env, argv: process.argv.slice(2), stdin: fs.readFileSync(0, 'utf8') }));
process.stdout.write(fs.readFileSync(process.env.FAKE_OUTPUT, 'utf8'));
process.exit(Number(process.env.FAKE_EXIT || 0));
`;

function result(fields: Record<string, unknown>): string {
  const base = {
    type: 'result', subtype: 'success', is_error: false, api_error_status: null, duration_ms: 90, num_turns: 1,
    result: 'ok', stop_reason: 'end_turn', session_id: 's-1', total_cost_usd: 0,
    usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 } },
    modelUsage: {},
  };
  return `${JSON.stringify({ type: 'system', subtype: 'init', session_id: 's-1' })}\n${JSON.stringify({ ...base, ...fields })}\n`;
}

async function run(output: string, env: Record<string, string> = {}, request: Partial<LlmRequest> = {}) {
  const outFile = path.join(dir, `out-${Date.now()}-${process.hrtime.bigint()}.jsonl`);
  const dump = `${outFile}.dump.json`;
  await fs.writeFile(outFile, output);
  const client = new ClaudeCodeLlmClient({
    binaryPath: fake,
    env: { PATH: process.env['PATH'], ANTHROPIC_API_KEY: 'sk-ant-should-not-leak', CLAUDECODE: '1', FAKE_OUTPUT: outFile, FAKE_DUMP: dump, ...env },
    now: () => new Date('2026-11-24T08:10:00Z'),
  });
  const call = client.complete({
    model: 'claude-sonnet-5-5',
    system: [{ text: 'SYSTEM-SECRET' }],
    messages: [{ role: 'user', content: [{ text: 'PROMPT-SECRET' }] }],
    maxTokens: 1234,
    ...request,
  });
  const readDump = (): { env: Record<string, string>; argv: string[]; stdin: string } =>
    JSON.parse(readFileSync(dump, 'utf8')) as { env: Record<string, string>; argv: string[]; stdin: string };
  return { call, readDump };
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-cc-fake-'));
  fake = path.join(dir, 'claude');
  await fs.writeFile(fake, FAKE, { mode: 0o755 });
});
after(() => fs.rm(dir, { recursive: true, force: true }));

describe('ClaudeCodeLlmClient over recorded Claude Code output', () => {
  it('subscription mode: no API key in the child, prompt on stdin, nothing secret on the command line', async () => {
    const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 3, cache_read_input_tokens: 7, cache_creation: { ephemeral_5m_input_tokens: 3, ephemeral_1h_input_tokens: 0 } };
    const { call, readDump } = await run(result({ result: 'hi', usage, modelUsage: { 'claude-sonnet-5-5': { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 7, cacheCreationInputTokens: 3 } } }));
    const reply = await call;
    const dump = readDump();
    assert.equal(dump.env['ANTHROPIC_API_KEY'], undefined);
    assert.equal(dump.env['CLAUDECODE'], undefined);
    assert.equal(dump.env['CLAUDE_CODE_MAX_OUTPUT_TOKENS'], '1234');
    assert.equal(dump.stdin, 'PROMPT-SECRET');
    assert.ok(!dump.argv.join(' ').includes('SECRET'), dump.argv.join(' '));
    assert.deepEqual(dump.argv.slice(dump.argv.indexOf('--tools'), dump.argv.indexOf('--tools') + 2), ['--tools', '']);
    assert.deepEqual(reply.usage, { inputTokens: 10, outputTokens: 5, cacheCreationInputTokens: 3, cacheReadInputTokens: 7, cacheCreation5mTokens: 3, cacheCreation1hTokens: 0 });
    assert.equal(reply.text, 'hi');
  });

  it('a session-limit notice → provider_rate_limited, limitReached 1, reset instant from the notice zone', async () => {
    const { call } = await run(result({ is_error: true, result: "You've hit your session limit · resets 12:50am (America/Los_Angeles)" }), { FAKE_EXIT: '1' });
    await assert.rejects(call, (e) =>
      isHeliosError(e, 'provider_rate_limited') && e.details.limitReached === 1 && e.details.resetAt === '2026-11-24T08:50:00.000Z' && e.details.limitKind === 'session');
  });

  it('a weekly notice and the old epoch form', async () => {
    const weekly = await run(result({ is_error: true, api_error_status: 429, result: 'Weekly limit reached · resets 10am (Asia/Seoul)' }), { FAKE_EXIT: '1' });
    await assert.rejects(weekly.call, (e) => isHeliosError(e, 'provider_rate_limited') && e.details.resetAt === '2026-11-25T01:00:00.000Z' && e.details.limitKind === 'weekly');
    const epoch = await run(result({ is_error: true, result: 'Claude AI usage limit reached|1764000000' }), { FAKE_EXIT: '1' });
    await assert.rejects(epoch.call, (e) => isHeliosError(e, 'provider_rate_limited') && e.details.limitReached === 1 && e.details.resetAt === new Date(1_764_000_000_000).toISOString());
  });

  it('a call whose process cannot be stopped is recorded as usage unknown, its reservation kept in the ledger', async () => {
    const pidFile = path.join(dir, `escaped-${process.hrtime.bigint()}.pid`);
    const ledger = new MemoryLedger();
    const governor = await Governor.create({ ledger, config: { ...DEFAULT_BUDGET, plan: 'custom', windowTokens: 1_000_000, windowMessages: 0 } });
    const client = new ClaudeCodeLlmClient({ binaryPath: fake, env: { PATH: process.env['PATH'], FAKE_ESCAPE: pidFile, FAKE_DUMP: path.join(dir, 'd.json'), NODE_V8_COVERAGE: '' } });
    const governed = new GovernedLlmClient(client, governor, { workspace: 'w', now: () => new Date() });
    const abort = new AbortController();
    try {
      const call = governed.complete({ model: 'claude-sonnet-5-5', system: [], messages: [{ role: 'user', content: [{ text: 'hi' }] }], maxTokens: 2_000, signal: abort.signal, tags: { agent: 'coder', planId: 'p', taskId: 'T1' } });
      const started = await Promise.race([
        (async () => { while (!(await fs.stat(pidFile).catch(() => undefined))) await new Promise((r) => setTimeout(r, 20)); return true; })(),
        call.then(() => false, () => false),
      ]);
      assert.ok(started, 'the fake claude started its helper');
      abort.abort();
      await assert.rejects(call, (e: unknown) => isHeliosError(e, 'usage_unknown') && e.details.claudeCode === 'unstoppable');
      const [record, ...rest] = ledger.records;
      assert.equal(rest.length, 0);
      assert.equal(record?.usageUnknown, true);
      assert.equal(record?.usage.outputTokens, 2_000, 'the whole output budget stays charged');
      assert.ok((record?.usage.inputTokens ?? 0) > 0);
      assert.equal(record?.taskId, 'T1');
      assert.ok((record?.costUsd ?? 0) > 0, 'an upper bound, not $0');
      const view = governor.view();
      assert.deepEqual([view.reserved, view.inFlight], [0, 0], 'the reservation became a ledger record, not a leak');
      assert.ok(view.used > 0, 'and it counts against the window');
    } finally {
      governor.dispose();
      const pid = Number(await fs.readFile(pidFile, 'utf8').catch(() => '0'));
      if (pid > 0) process.kill(pid, 'SIGKILL');
    }
  });

  it('a malformed stream fails the call with a clear reason', async () => {
    const { call } = await run('{"type":"system","subtype":"init"}\nthis is not json\n', { FAKE_EXIT: '1' });
    await assert.rejects(call, (e) => isHeliosError(e, 'provider_unavailable') && e.details.claudeCode === 'malformed_output');
  });

  it('an is_error result without a status → provider_unavailable carrying the subtype', async () => {
    const { call } = await run(result({ subtype: 'error_during_execution', is_error: true, result: 'boom' }), { FAKE_EXIT: '1' });
    await assert.rejects(call, (e) => isHeliosError(e, 'provider_unavailable') && e.details.claudeCode === 'error_during_execution');
  });

  it('a missing binary and a too-old version are reported as such', async () => {
    const missing = new ClaudeCodeLlmClient({ binaryPath: path.join(dir, 'nope') });
    await assert.rejects(missing.detect(), (e) => isHeliosError(e, 'provider_unavailable') && e.details.claudeCode === 'not_installed');
    const onPath = new ClaudeCodeLlmClient({ env: { PATH: path.join(dir, 'empty-bin') } });
    await assert.rejects(onPath.detect(), (e) => isHeliosError(e, 'provider_unavailable') && e.details.claudeCode === 'not_installed');
    const old = new ClaudeCodeLlmClient({ binaryPath: fake, env: { PATH: process.env['PATH'], FAKE_VERSION: '1.0.3 (Claude Code)' } });
    await assert.rejects(old.detect(), (e) => isHeliosError(e, 'provider_unavailable') && e.details.claudeCode === 'version_too_old');
  });

  it('countTokens is a local estimate that rounds up and never under-counts the text', async () => {
    const client = new ClaudeCodeLlmClient({ binaryPath: fake });
    const text = '가'.repeat(900);
    const n = await client.countTokens({ model: 'claude-sonnet-5-5', system: [], messages: [{ role: 'user', content: [{ text }] }] });
    assert.ok(Number.isInteger(n) && n >= 900, String(n));
  });
});

describe('a Claude Code limit notice through the governor', () => {
  it('pauses admission until the reset the notice names, then resumes', async () => {
    const { Governor } = await import('../../src/core/governor/governor');
    const { GovernedLlmClient } = await import('../../src/core/governor/governedLlmClient');
    const { DEFAULT_BUDGET } = await import('../../src/core/governor/budgetPlans');
    const { FakeClock } = await import('../support/fakeClock');
    const { MemoryLedger } = await import('../support/memoryLedger');
    const clock = new FakeClock(Date.parse('2026-11-24T08:10:00Z'));
    const governor = await Governor.create({ ledger: new MemoryLedger(), config: { ...DEFAULT_BUDGET, plan: 'max5x' }, clock });
    const outFile = path.join(dir, 'notice.jsonl');
    await fs.writeFile(outFile, result({ is_error: true, result: "You've hit your session limit · resets 12:50am (America/Los_Angeles)" }));
    const claude = new ClaudeCodeLlmClient({
      binaryPath: fake,
      env: { PATH: process.env['PATH'], FAKE_OUTPUT: outFile, FAKE_DUMP: `${outFile}.dump`, FAKE_EXIT: '1' },
      now: () => new Date(clock.now()),
    });
    const client = new GovernedLlmClient(claude, governor, { workspace: 'w', now: () => new Date(clock.now()) });
    const request = { model: 'claude-sonnet-5-5', system: [], messages: [{ role: 'user' as const, content: [{ text: 'hi' }] }], maxTokens: 100 };
    await assert.rejects(client.complete(request), (e) => isHeliosError(e, 'provider_rate_limited'));
    assert.equal(governor.state, 'paused');
    assert.equal(governor.view().observations[0]?.resetAt, '2026-11-24T08:50:00.000Z');
    let admitted = false;
    const waiting = governor.admit({ model: 'claude-sonnet-5-5', inputTokens: 10, maxTokens: 10 }).then(() => (admitted = true));
    clock.advance(39 * 60_000);
    await new Promise((r) => setImmediate(r));
    assert.equal(admitted, false, 'still before 08:50');
    clock.advance(60_000 + 1);
    await waiting;
    assert.equal(admitted, true);
  });
});
