import { mulberry32 } from './analysisRepoGenerator';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Realistic Claude Code logs from a seed, deterministic: several projects and sessions, subagent
 * files, messages split over several lines (one per content block, same ids), resumed sessions
 * that copy earlier history into a new file, pauses of more than 5 h, entries on hour boundaries
 * and exactly at 5-hour edges, `<synthetic>` error messages, summary lines, torn and malformed
 * lines, one CRLF file. Timestamps are UTC with `Z`, as Claude Code writes them.
 */

const HOUR = 3_600_000;
const FIVE_H = 5 * HOUR;

/** mulberry32: small, fast, good enough for test data. */
export const seededRandom = mulberry32;

export interface ClaudeCodeLogOptions {
  /** Assistant messages (unique calls) to write. */
  readonly messages?: number;
  /** The first message's time; the default depends on the seed (autumn 2026). */
  readonly startMs?: number;
  /** Shift the timeline so that its last message is at this instant (to get an active block). */
  readonly endMs?: number;
}

export interface GeneratedClaudeCodeLogs {
  /** Paths relative to the config folder (`projects/...`) and their exact text. */
  readonly files: ReadonlyArray<{ readonly path: string; readonly text: string }>;
  readonly stats: {
    /** Usage entries both ccusage and Helios should count (unique ids + id-less copies). */
    readonly entries: number;
    /** Usage lines dropped as repeats of an already seen message id + request id. */
    readonly duplicateLines: number;
    readonly malformedLines: number;
    readonly subagentFiles: number;
    readonly bytes: number;
  };
}

const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001', 'claude-opus-5-5', 'claude-sonnet-5-5'];
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

interface LogFile {
  readonly path: string;
  readonly lines: string[];
  readonly sessionId: string;
  readonly cwd: string;
  readonly sidechain: boolean;
  crlf: boolean;
}

interface Session {
  readonly file: LogFile;
  readonly project: number;
  readonly subagents: LogFile[];
}

export function generateClaudeCodeLogs(seed: number, options: ClaudeCodeLogOptions = {}): GeneratedClaudeCodeLogs {
  const rnd = seededRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const token = (n: number): string => Array.from({ length: n }, () => pick(ALPHABET.split(''))).join('');
  const uuid = (): string => {
    const h = Array.from({ length: 32 }, () => int(0, 15).toString(16)).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  };

  const times = timeline(rnd, int, options.messages ?? 400, options.startMs ?? Date.UTC(2026, 8, 1) + int(0, 60 * 24) * 60_000 + int(0, 59_999));
  if (options.endMs !== undefined) {
    const shift = options.endMs - times[times.length - 1]!;
    for (let i = 0; i < times.length; i++) times[i]! += shift;
  }

  const projects = Array.from({ length: int(3, 5) }, (_, i) => `/home/dev/${['helios', 'api-server', 'web.app', 'infra', 'notes'][i]}`);
  const files: LogFile[] = [];
  const sessionsByProject = new Map<number, Session[]>();
  const newFile = (p: string, sessionId: string, cwd: string, sidechain: boolean): LogFile => {
    const f: LogFile = { path: p, lines: [], sessionId, cwd, sidechain, crlf: false };
    files.push(f);
    return f;
  };
  const projectDir = (cwd: string): string => `projects/${cwd.replace(/[/.]/g, '-')}`;
  const seenKeys = new Set<string>();
  let keyedLines = 0;
  let keylessEntries = 0;
  let malformedLines = 0;

  const openSession = (project: number): Session => {
    const cwd = projects[project]!;
    const sessionId = uuid();
    const file = newFile(`${projectDir(cwd)}/${sessionId}.jsonl`, sessionId, cwd, false);
    if (rnd() < 0.3) file.lines.push(JSON.stringify({ type: 'summary', summary: 'Refactor the usage ledger', leafUuid: uuid() }));
    const previous = sessionsByProject.get(project) ?? [];
    // Resuming copies (part of) an earlier session's history verbatim into the new file.
    if (previous.length > 0 && rnd() < 0.4) {
      const from = pick(previous).file.lines;
      for (const line of from.slice(0, int(1, Math.max(1, from.length)))) {
        file.lines.push(line);
        countCopy(line);
      }
    }
    const session: Session = { file, project, subagents: [] };
    sessionsByProject.set(project, [...previous, session]);
    return session;
  };
  const countCopy = (line: string): void => {
    const kind = kinds.get(line);
    if (kind === 'keyed') keyedLines++;
    else if (kind === 'keyless') keylessEntries++;
    else if (kind === 'malformed') malformedLines++;
  };
  /** What each written line is, so verbatim copies are counted the way a reader sees them. */
  const kinds = new Map<string, 'keyed' | 'keyless' | 'malformed'>();
  const push = (f: LogFile, line: string, kind?: 'keyed' | 'keyless' | 'malformed'): void => {
    f.lines.push(line);
    if (kind) {
      kinds.set(line, kind);
      countCopy(line);
    }
  };

  const assistantLines = (f: LogFile, at: number): void => {
    const model = rnd() < 0.02 ? 'claude-opus-4-6' : pick(MODELS);
    const fast = model === 'claude-opus-4-6' && rnd() < 0.5;
    if (rnd() < 0.03) {
      // An API error: Claude Code logs a `<synthetic>` message with zero usage and no request id.
      push(f, JSON.stringify({
        parentUuid: uuid(), isSidechain: f.sidechain, userType: 'external', cwd: f.cwd, sessionId: f.sessionId, version: '2.1.197',
        type: 'assistant', uuid: uuid(), timestamp: iso(at), isApiErrorMessage: true,
        message: {
          id: uuid(), model: '<synthetic>', role: 'assistant', type: 'message', stop_reason: 'stop_sequence',
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
          content: [{ type: 'text', text: `Claude AI usage limit reached|${Math.floor(at / 1000) + 3600}` }],
        },
      }), 'keyless');
      return;
    }
    const id = `msg_01${token(22)}`;
    const requestId = `req_011C${token(20)}`;
    const write5m = rnd() < 0.5 ? int(0, 40_000) : 0;
    const write1h = rnd() < 0.2 ? int(0, 20_000) : 0;
    const baseUsage = {
      input_tokens: rnd() < 0.7 ? int(1, 12) : int(100, 20_000),
      cache_creation_input_tokens: write5m + write1h,
      cache_read_input_tokens: rnd() < 0.8 ? int(1_000, 180_000) : 0,
      cache_creation: { ephemeral_5m_input_tokens: write5m, ephemeral_1h_input_tokens: write1h },
      output_tokens: int(1, 8_000),
      service_tier: 'standard',
      ...(fast ? { speed: 'fast' } : {}),
    };
    const blocks = ['thinking', 'text', 'tool_use'].slice(0, int(1, 3));
    blocks.forEach((kind, i) => {
      // Later lines of a split message may carry a different (final) output count: the first line wins.
      const usage = i > 0 && rnd() < 0.3 ? { ...baseUsage, output_tokens: baseUsage.output_tokens + int(1, 500) } : baseUsage;
      push(f, JSON.stringify({
        parentUuid: uuid(), isSidechain: f.sidechain, userType: 'external', cwd: f.cwd, sessionId: f.sessionId, version: '2.1.197',
        gitBranch: 'main', message: {
          id, type: 'message', role: 'assistant', model,
          content: [kind === 'tool_use' ? { type: 'tool_use', id: `toolu_${token(12)}`, name: 'Read', input: { file_path: '/tmp/x' } } : { type: kind, [kind]: `…${token(int(5, 60))}` }],
          stop_reason: i === blocks.length - 1 ? 'end_turn' : null, stop_sequence: null, usage,
        },
        requestId, type: 'assistant', uuid: uuid(), timestamp: iso(at + i * int(1, 900)),
      }), 'keyed');
    });
    seenKeys.add(`${id}:${requestId}`);
  };

  const userLine = (f: LogFile, at: number): void => {
    f.lines.push(JSON.stringify({
      parentUuid: uuid(), isSidechain: f.sidechain, userType: 'external', cwd: f.cwd, sessionId: f.sessionId, version: '2.1.197',
      type: 'user', message: { role: 'user', content: `Please look at ${token(int(10, 200))}` }, uuid: uuid(), timestamp: iso(at),
    }));
  };

  const malformed = (f: LogFile): void => {
    const line = pick([
      'not json at all',
      '{"type":"assistant","message":{"usage":{"input_tokens":"12","output_tokens":3}},"timestamp":"2026-09-01T00:00:00.000Z"}',
      '[]',
      '{"type":"assistant","timestamp":"2026-09-01T00:00:00.000Z","message":{"usage":{"input_tokens":5}}}',
      `{"parentUuid":"${uuid()}","type":"assistant","message":{"id":"msg_torn","usage":{"input_tok`,
    ]);
    push(f, line, 'malformed');
  };

  let open: Session[] = [openSession(int(0, projects.length - 1))];
  let prev = times[0]!;
  for (const at of times) {
    if (at - prev > FIVE_H || rnd() < 0.02) {
      // A long pause or a context switch: some sessions end, a new one (maybe resumed) starts.
      open = open.filter(() => rnd() < 0.4);
      open.push(openSession(int(0, projects.length - 1)));
    } else if (open.length < 3 && rnd() < 0.03) {
      open.push(openSession(int(0, projects.length - 1)));
    }
    prev = at;
    const session = rnd() < 0.7 ? open[0]! : pick(open);
    let f = session.file;
    if (rnd() < 0.15) {
      if (session.subagents.length === 0 || (session.subagents.length < 3 && rnd() < 0.2)) {
        const dir = session.file.path.replace(/\.jsonl$/, '');
        session.subagents.push(newFile(`${dir}/subagents/agent-${token(8).toLowerCase()}.jsonl`, session.file.sessionId, session.file.cwd, true));
      }
      f = pick(session.subagents);
    }
    if (rnd() < 0.6) userLine(f, at - int(0, 3_000));
    assistantLines(f, at);
    if (rnd() < 0.01) malformed(f);
    if (rnd() < 0.01) f.lines.push('');
  }

  // A crash mid-write leaves a torn last line without a newline in some files; one file is CRLF.
  const torn = new Set(files.filter(() => rnd() < 0.1));
  if (files.length > 1) files[int(0, files.length - 1)]!.crlf = true;
  const out = files.map((f) => {
    const eol = f.crlf ? '\r\n' : '\n';
    let text = f.lines.map((l) => `${l}${eol}`).join('');
    if (torn.has(f)) {
      text += `{"parentUuid":"${uuid()}","type":"assistant","timestamp":"${iso(times[times.length - 1]!)}","message":{"id":"msg_`;
      malformedLines++;
    }
    return { path: f.path, text };
  });
  return {
    files: out,
    stats: {
      entries: seenKeys.size + keylessEntries,
      duplicateLines: keyedLines - seenKeys.size,
      malformedLines,
      subagentFiles: files.filter((f) => f.sidechain).length,
      bytes: out.reduce((n, f) => n + Buffer.byteLength(f.text), 0),
    },
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Sorted message times with the edge cases blocks are sensitive to. */
function timeline(rnd: () => number, int: (lo: number, hi: number) => number, count: number, startMs: number): number[] {
  const ts = [startMs];
  let blockStart = Math.floor(startMs / HOUR) * HOUR;
  let last = startMs;
  const push = (t: number): void => {
    const next = t < last ? last + int(1_000, 60_000) : t;
    if (next - blockStart > FIVE_H || next - last > FIVE_H) blockStart = Math.floor(next / HOUR) * HOUR;
    ts.push(next);
    last = next;
  };
  const nextHour = (t: number): number => Math.floor(t / HOUR) * HOUR + HOUR;
  while (ts.length < count) {
    const r = rnd();
    if (r < 0.5) push(last + int(2_000, 600_000));
    else if (r < 0.64) push(last + int(600_000, 90 * 60_000));
    else if (r < 0.69) push(last + int(90 * 60_000, FIVE_H - 1));
    else if (r < 0.75) push(last + FIVE_H + pick3(rnd, [1, int(2, 60_000), int(60_000, 30 * HOUR)]));
    else if (r < 0.78) push(blockStart + FIVE_H); // exactly at the block's end: still inside
    else if (r < 0.80) push(blockStart + FIVE_H + 1); // 1 ms later: a new block
    else if (r < 0.82) push(blockStart + FIVE_H - 1);
    else if (r < 0.84) push(last + FIVE_H); // exactly 5 h after the previous message
    else if (r < 0.87) {
      push(nextHour(last)); // on the hour, then exactly 5 h later
      if (rnd() < 0.5) push(last + FIVE_H);
    } else if (r < 0.90) push(nextHour(last) - 1);
    else if (r < 0.93) push(nextHour(last) + 1);
    else if (r < 0.95) push(last); // the same millisecond
    else push(last + int(1, 999));
  }
  return ts.slice(0, count);
}

function pick3(rnd: () => number, xs: readonly number[]): number {
  return xs[Math.floor(rnd() * xs.length)]!;
}

/** Writes the generated files under `configDir` (which then holds `projects/`). */
export async function writeClaudeCodeLogs(configDir: string, logs: GeneratedClaudeCodeLogs): Promise<void> {
  for (const f of logs.files) {
    const full = path.join(configDir, f.path);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, f.text);
  }
}
