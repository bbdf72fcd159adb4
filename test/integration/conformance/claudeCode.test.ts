import assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProcess } from '../../../src/infra/claudeCode/claudeCodeCli';
import type { RecordedRequest } from '../../../src/simulator/simulator';
import { ClaudeSimulator } from '../../../src/simulator/simulator';

/**
 * Conformance: the REAL `claude` binary (devDependency @anthropic-ai/claude-code) in `-p` mode
 * against the simulator, with its default tool set (24 tools, `{role: "system"}` entries in
 * `messages`, `context_management`, `output_config.effort`, `?beta=true`) and with `--tools ""`
 * (what Helios's own claude-code provider runs). Each run asserts Claude Code's own view: its
 * `result` message, and the usage in its session log, token for token against the simulator's.
 */

const CLAUDE = path.resolve('node_modules/.bin/claude');
const available = existsSync(CLAUDE);
const RUN_TIMEOUT_MS = 60_000;

let sim: ClaudeSimulator;
let root: string;

before(async () => {
  sim = await ClaudeSimulator.start({ speedUp: 0 });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-cc-conformance-'));
});
after(async () => {
  await sim.stop();
  await fs.rm(root, { recursive: true, force: true });
});

interface ResultMessage {
  readonly type: string;
  readonly is_error: boolean;
  readonly result: string;
  readonly session_id: string;
  readonly usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
}

interface LoggedAssistant {
  readonly requestId: string;
  readonly message: { readonly id: string; readonly model: string; readonly usage: Record<string, unknown> };
}

/** One `claude -p` run in its own HOME and working folder; returns its result and the requests it made. */
async function runClaude(name: string, extraArgs: readonly string[]): Promise<{ result: ResultMessage; requests: RecordedRequest[]; home: string; cwd: string }> {
  const home = path.join(root, name, 'home');
  const cwd = path.join(root, name, 'work');
  await fs.mkdir(home, { recursive: true });
  await fs.mkdir(cwd, { recursive: true });
  const from = sim.requests.length;
  const run = await runProcess({
    command: CLAUDE,
    args: ['-p', 'Say hello to the Helios team in one line.', '--output-format', 'json', '--model', 'claude-sonnet-5-5', ...extraArgs],
    cwd,
    env: {
      PATH: process.env['PATH'], HOME: home, ANTHROPIC_BASE_URL: sim.url, ANTHROPIC_API_KEY: 'sim-claude-code',
      // Nothing but the simulator: no telemetry or update checks to other hosts, no V8 coverage from the child.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', NODE_V8_COVERAGE: '',
    },
    timeoutMs: RUN_TIMEOUT_MS,
  });
  assert.equal(run.killed, undefined, `claude did not finish within ${RUN_TIMEOUT_MS} ms: ${run.stderr}`);
  assert.equal(run.exitCode, 0, `claude exited ${run.exitCode}: ${run.stdout}${run.stderr}`);
  return { result: JSON.parse(run.stdout) as ResultMessage, requests: sim.requests.slice(from), home, cwd };
}

/** The assistant records of the session's log (~/.claude/projects/<cwd with / as ->/<session>.jsonl). */
async function sessionLog(home: string, cwd: string, sessionId: string): Promise<LoggedAssistant[]> {
  const file = path.join(home, '.claude', 'projects', (await fs.realpath(cwd)).replace(/[/.]/g, '-'), `${sessionId}.jsonl`);
  const lines = (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  return lines.map((l) => JSON.parse(l) as { type: string } & LoggedAssistant).filter((r) => r.type === 'assistant');
}

function assertLogMatchesSimulator(logged: readonly LoggedAssistant[], requests: readonly RecordedRequest[]): void {
  assert.ok(logged.length > 0, 'the session log holds the assistant message');
  for (const entry of logged) {
    const served = requests.find((r) => r.requestId === entry.requestId);
    assert.ok(served?.usage, `request ${entry.requestId} of the log was served by the simulator`);
    const u = entry.message.usage;
    assert.equal(u['input_tokens'], served.usage.input_tokens);
    assert.equal(u['output_tokens'], served.usage.output_tokens);
    assert.equal(u['cache_read_input_tokens'], served.usage.cache_read_input_tokens);
    assert.equal(u['cache_creation_input_tokens'], served.usage.cache_creation_input_tokens);
    assert.deepEqual(u['cache_creation'], { ephemeral_5m_input_tokens: served.usage.cache_creation.ephemeral_5m_input_tokens, ephemeral_1h_input_tokens: served.usage.cache_creation.ephemeral_1h_input_tokens });
    assert.equal(entry.message.model, 'claude-sonnet-5-5');
    assert.match(entry.message.id, /^msg_/);
  }
}

describe('conformance: Claude Code (real binary) against the simulator', { skip: available ? false : 'node_modules/.bin/claude missing' }, () => {
  it('with its default tools: system entries in messages, context_management and effort are served; the log agrees', async () => {
    const { result, requests, home, cwd } = await runClaude('default-tools', []);
    assert.equal(result.type, 'result');
    assert.equal(result.is_error, false, result.result);
    assert.match(result.result, /^This is a simulated reply from Sonnet 5\.5/);
    const main = requests.filter((r) => r.path === '/v1/messages' && r.status === 200 && /tools=[1-9]/.test(r.summary));
    assert.equal(main.length, 1, JSON.stringify(requests.map((r) => `${r.status} ${r.summary}`)));
    assert.match(main[0]!.summary, /system_messages=\d/, 'Claude Code sent a {role: "system"} entry and it was served');
    for (const field of ['context_management', 'metadata', 'output_config', 'thinking']) {
      assert.match(main[0]!.summary, new RegExp(`with=.*\\b${field}\\b`), `Claude Code sent ${field}`);
    }
    assert.ok(main[0]!.usage!.cache_creation_input_tokens > 0, 'its cached system prompt was written');
    assert.equal(result.usage.output_tokens, main[0]!.usage!.output_tokens);
    assertLogMatchesSimulator(await sessionLog(home, cwd, result.session_id), requests);
  });

  it('with --tools "": a plain successful run; the log agrees', async () => {
    const { result, requests, home, cwd } = await runClaude('no-tools', ['--tools', '']);
    assert.equal(result.is_error, false, result.result);
    assert.match(result.result, /^This is a simulated reply from Sonnet 5\.5/);
    const main = requests.filter((r) => r.path === '/v1/messages' && r.status === 200 && /tools=0/.test(r.summary) && !/format=/.test(r.summary));
    assert.equal(main.length, 1, JSON.stringify(requests.map((r) => `${r.status} ${r.summary}`)));
    assert.doesNotMatch(main[0]!.summary, /system_messages=/);
    assert.deepEqual(
      [result.usage.input_tokens, result.usage.output_tokens, result.usage.cache_read_input_tokens, result.usage.cache_creation_input_tokens],
      [main[0]!.usage!.input_tokens, main[0]!.usage!.output_tokens, main[0]!.usage!.cache_read_input_tokens, main[0]!.usage!.cache_creation_input_tokens],
    );
    assertLogMatchesSimulator(await sessionLog(home, cwd, result.session_id), requests);
  });
});
