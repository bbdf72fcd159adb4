import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeliosError } from '../../core/errors/heliosError';
import { isClaudeCodeLoginNotice, parseClaudeCodeLimitNotice } from '../../core/llm/claudeCodeLimits';
import type { LlmClient, LlmMessage, LlmRequest, LlmResponse, StopReason, TextPart } from '../../core/llm/llmClient';
import { findClaudeBinary, runProcess } from './claudeCodeCli';
import type { ClaudeBinary, ProcessResult } from './claudeCodeCli';
import { modelOf, parseStreamLine, usageOf } from './claudeCodeCliMessages';
import type { ResultMessage } from './claudeCodeCliMessages';

/**
 * An LlmClient that spends the user's own Claude Pro/Max subscription by running the user's
 * installed, logged-in `claude` binary headless, one process per call:
 *
 *   claude -p --output-format stream-json --verbose --model M --system-prompt-file F --tools ""
 *          [--json-schema S] [--effort E] --no-session-persistence --strict-mcp-config
 *
 * The prompt goes over stdin and the system prompt through a private temp file, never on the
 * command line (`ps` shows argv; Linux caps one argument at 128 KB). `--tools ""` means Claude
 * Code edits nothing: Helios's own proposed-change flow stays in charge. Usage is copied from the
 * `result` message, never estimated. Errors become HeliosError reasons; a limit notice becomes
 * `provider_rate_limited` with `limitReached: 1` and `resetAt` (ISO) when the notice names one.
 */

export interface ClaudeCodeClientOptions {
  /** `helios.claudeCode.path`; unset → the first `claude` on PATH. */
  readonly binaryPath?: string;
  /** The environment the child starts from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * API billing: set only when the user asked Claude Code to bill an API key. Without it the
   * child's environment has no `ANTHROPIC_API_KEY`, so Claude Code uses its own login (a key
   * would silently switch it to metered billing).
   */
  readonly apiKey?: string;
  /** Per call; the process group is killed when it passes (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Claude Code's own retries of 429/5xx (`CLAUDE_CODE_MAX_RETRIES`); unset = its default. */
  readonly maxRetries?: number;
  /** Keep Claude Code's session log (`~/.claude/projects`); off so Helios calls stay out of `/resume`. */
  readonly persistSessions?: boolean;
  /** Working folder of the child (default: a fresh empty temp folder, so no CLAUDE.md is picked up). */
  readonly cwd?: string;
  readonly onStderr?: (chunk: string) => void;
  readonly now?: () => Date;
  /** For notices without a zone; default the runtime's. */
  readonly localTimeZone?: string;
}

export interface ClaudeCodeLlmResponse extends LlmResponse {
  /** `msg_…` ids of the assistant messages, for de-duplication against Claude Code's own logs. */
  readonly messageIds: readonly string[];
  readonly costUsd: number | undefined;
  readonly sessionId: string | undefined;
}

/** ASCII chars per token for `countTokens`: below the tokenizers' English average (~4), so the estimate errs high. */
const ASCII_CHARS_PER_TOKEN = 3;
/** Claude Code adds its own preamble (agent SDK line, date reminder, billing header) to every call. */
const CLAUDE_CODE_OVERHEAD_TOKENS = 300;

export class ClaudeCodeLlmClient implements LlmClient {
  readonly provider = 'claude-code';
  private binary: Promise<ClaudeBinary> | undefined;

  constructor(private readonly options: ClaudeCodeClientOptions = {}) {}

  /** Finds and version-checks the binary once (a failure is retried on the next call). */
  detect(): Promise<ClaudeBinary> {
    if (!this.binary) {
      this.binary = findClaudeBinary({ configuredPath: this.options.binaryPath, env: this.options.env ?? process.env });
      this.binary.catch(() => (this.binary = undefined));
    }
    return this.binary;
  }

  async complete(request: LlmRequest): Promise<ClaudeCodeLlmResponse> {
    const started = Date.now();
    if (request.signal?.aborted) throw new HeliosError('cancelled', 'Cancelled');
    const binary = await this.detect();
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'helios-cc-'));
    try {
      const systemFile = path.join(scratch, 'system.txt');
      await fs.writeFile(systemFile, joinParts(request.system), { mode: 0o600 });
      const args = buildArgs(request, systemFile, this.options.persistSessions === true);
      let outputChars = 0;
      let sawDelta = false;
      let result: ResultMessage | undefined;
      let malformed: string | undefined;
      const messageIds: string[] = [];
      let requestId: string | undefined;
      let streamedModel: string | undefined;
      const run = await runProcess({
        command: binary.path,
        args,
        env: childEnv(this.options, request),
        cwd: this.options.cwd ?? scratch,
        stdin: renderPrompt(request.messages),
        timeoutMs: this.options.timeoutMs ?? 10 * 60_000,
        signal: request.signal,
        onStderr: this.options.onStderr,
        onLine: (line) => {
          const parsed = parseStreamLine(line);
          if (parsed.kind === 'result') result = parsed.message;
          else if (parsed.kind === 'assistant') {
            if (!messageIds.includes(parsed.messageId)) messageIds.push(parsed.messageId);
            requestId = parsed.requestId ?? requestId;
            streamedModel = parsed.model ?? streamedModel;
            // With partial messages on, the deltas already counted this text.
            if (!request.onProgress || sawDelta || parsed.text.length === 0) return;
            outputChars += parsed.text.length;
            request.onProgress(outputChars);
          } else if (parsed.kind === 'delta' && request.onProgress && parsed.chars > 0) {
            sawDelta = true;
            outputChars += parsed.chars;
            request.onProgress(outputChars);
          } else if (parsed.kind === 'malformed') malformed ??= parsed.line.slice(0, 200);
        },
      });
      const final = this.checkRun(run, result, malformed, request);
      const structured = request.outputSchema ? structuredText(final) : undefined;
      return {
        model: modelOf(final, request.model, streamedModel),
        text: structured ?? final.result ?? '',
        stopReason: structured !== undefined ? 'end_turn' : toStopReason(final.stop_reason),
        usage: usageOf(final),
        requestId,
        durationMs: Date.now() - started,
        messageIds,
        costUsd: final.total_cost_usd,
        sessionId: final.session_id,
      };
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }

  /**
   * No CLI equivalent of count_tokens exists, and a `claude -p` run would spend the window. A
   * local estimate that errs high: ASCII at 3 chars a token (tokenizers average ~4 on English and
   * code), every other character a whole token (Hangul, kana and CJK are about one each), plus
   * Claude Code's fixed preamble. Rounded up.
   */
  countTokens(request: Omit<LlmRequest, 'maxTokens'>): Promise<number> {
    const texts = [joinParts(request.system), ...request.messages.map((m) => joinParts(m.content))];
    if (request.outputSchema) texts.push(JSON.stringify(request.outputSchema));
    let ascii = 0;
    let other = 0;
    for (const text of texts) {
      for (const ch of text) {
        if (ch.charCodeAt(0) < 128) ascii++;
        else other++;
      }
    }
    const structure = request.messages.length * 8 + (request.outputSchema ? 60 : 0);
    return Promise.resolve(Math.ceil(ascii / ASCII_CHARS_PER_TOKEN) + other + structure + CLAUDE_CODE_OVERHEAD_TOKENS);
  }

  private checkRun(run: ProcessResult, result: ResultMessage | undefined, malformed: string | undefined, request: LlmRequest): ResultMessage {
    if (run.unstoppable && !result) {
      // Without its result line nothing says what the call spent, and it may be spending still.
      throw new HeliosError('usage_unknown', `Claude Code (process group ${run.pid ?? '?'}) could not be stopped; what it spent is unknown`, {
        claudeCode: 'unstoppable', pid: run.pid ?? -1,
      });
    }
    if (run.killed === 'aborted') throw new HeliosError('cancelled', 'Cancelled; the Claude Code process group was killed');
    if (run.killed === 'timeout') {
      throw new HeliosError('provider_timeout', `Claude Code did not finish within ${this.options.timeoutMs ?? 600_000} ms`, {
        claudeCode: 'timeout',
      });
    }
    if (!result) {
      const why = malformed ? `unreadable output line: ${malformed}` : `exit ${run.exitCode ?? run.exitSignal ?? '?'}: ${run.stderr.trim().slice(0, 500)}`;
      const text = `${run.stdout}\n${run.stderr}`;
      if (isClaudeCodeLoginNotice(text)) throw loginError();
      throw new HeliosError('provider_unavailable', `Claude Code ended without a result (${why})`, {
        claudeCode: malformed ? 'malformed_output' : 'process_failed',
        exitCode: run.exitCode ?? -1,
      });
    }
    if (!result.is_error && result.subtype === 'success') return result;
    throw this.toError(result, request);
  }

  private toError(result: ResultMessage, request: LlmRequest): HeliosError {
    const text = [result.result ?? '', ...(result.errors ?? [])].join('\n');
    const status = result.api_error_status ?? 0;
    const details = { status, claudeCode: result.subtype, sessionId: result.session_id ?? '' };
    const notice = parseClaudeCodeLimitNotice(text, (this.options.now ?? (() => new Date()))(), this.options.localTimeZone ?? localZone());
    if (notice) {
      return new HeliosError('provider_rate_limited', text, {
        ...details,
        limitReached: 1,
        limitKind: notice.kind,
        ...(notice.resetsAt ? { resetAt: notice.resetsAt.toISOString() } : {}),
        ...(notice.timeZone ? { timeZone: notice.timeZone } : {}),
      });
    }
    if (status === 0 && isClaudeCodeLoginNotice(text)) return loginError();
    if (status === 401 || status === 403) return new HeliosError('provider_auth', text, details);
    // Claude Code has already retried; a 429 without a notice is a per-minute limit, not the window.
    if (status === 429) return new HeliosError('provider_rate_limited', text, { ...details, limitReached: 0 });
    if (status === 529) return new HeliosError('provider_overloaded', text, details);
    if (status === 400 || status === 404 || status === 413) return new HeliosError('provider_bad_request', text, details);
    if (status >= 500) return new HeliosError('provider_unavailable', text, details);
    if (result.subtype === 'error_max_structured_output_retries' || (request.outputSchema && /structured output/i.test(text))) {
      return new HeliosError('model_output_invalid', text, details);
    }
    if (result.subtype === 'error_max_budget_usd' || result.subtype === 'error_max_turns') {
      return new HeliosError('model_output_truncated', text, details);
    }
    return new HeliosError('provider_unavailable', text || `Claude Code reported ${result.subtype}`, details);
  }
}

function loginError(): HeliosError {
  return new HeliosError('provider_auth', 'Claude Code is not logged in: run `claude` in a terminal and use /login, then try again', {
    claudeCode: 'not_logged_in',
  });
}

function buildArgs(request: LlmRequest, systemFile: string, persist: boolean): string[] {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--model', request.model, '--system-prompt-file', systemFile];
  args.push('--tools', '', '--strict-mcp-config');
  if (!persist) args.push('--no-session-persistence');
  if (request.outputSchema) args.push('--json-schema', JSON.stringify(request.outputSchema));
  if (request.effort) args.push('--effort', request.effort);
  if (request.onProgress) args.push('--include-partial-messages');
  return args;
}

/** Names Helios strips from the child: a key switches Claude Code to API billing; CLAUDECODE marks a nested session. */
const STRIPPED_ENV = ['ANTHROPIC_API_KEY', 'CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT'];

export function childEnv(options: ClaudeCodeClientOptions, request: Pick<LlmRequest, 'maxTokens'>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  for (const name of STRIPPED_ENV) delete env[name];
  if (options.apiKey) env['ANTHROPIC_API_KEY'] = options.apiKey;
  // No session titles, telemetry or update checks: every request of the run is the agent's.
  env['CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC'] = '1';
  env['CLAUDE_CODE_MAX_OUTPUT_TOKENS'] = String(request.maxTokens);
  if (options.maxRetries !== undefined) env['CLAUDE_CODE_MAX_RETRIES'] = String(options.maxRetries);
  return env;
}

function joinParts(parts: readonly TextPart[]): string {
  return parts.map((p) => p.text).join('\n\n');
}

/**
 * `claude -p` takes one user turn. A single message goes as is; a conversation (a repair round
 * trip) is written out as a transcript ending with the newest user turn.
 */
export function renderPrompt(messages: readonly LlmMessage[]): string {
  if (messages.length === 1 && messages[0]!.role === 'user') return joinParts(messages[0]!.content);
  const turns = messages.map((m) => `<turn role="${m.role}">\n${joinParts(m.content)}\n</turn>`);
  return `The conversation so far, oldest first. Answer the last user turn.\n\n${turns.join('\n\n')}`;
}

function structuredText(result: ResultMessage): string {
  if (result.structured_output !== undefined && result.structured_output !== null) return JSON.stringify(result.structured_output);
  // Older versions put the JSON only in `result`.
  try {
    JSON.parse(result.result ?? '');
    return result.result!;
  } catch {
    throw new HeliosError('model_output_invalid', 'Claude Code returned no structured output for a --json-schema call', {
      claudeCode: 'no_structured_output',
    });
  }
}

const STOP_REASONS: ReadonlySet<string> = new Set(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal', 'pause_turn']);

function toStopReason(reason: string | null | undefined): StopReason {
  return reason && STOP_REASONS.has(reason) ? (reason as StopReason) : 'other';
}

function localZone(): string | undefined {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
