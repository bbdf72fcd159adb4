import { parseArgs } from 'node:util';
import { computeBlocks, rollingTotal, type Block, type RollingTotal, type UsageEntry } from '../core/usage/blocks';
import { UsageRecordSchema, type UsageRecord } from '../core/usage/usageLedger';
import { readClaudeCodeUsage, type ClaudeCodeUsageReport } from '../infra/claudeCode/claudeCodeLogFiles';
import { JsonlFile } from '../infra/storage/jsonlFile';

/**
 * `helios usage blocks`: the 5-hour windows of Claude Code's logs and/or Helios's ledger, as
 * ccusage 18's `blocks --json` shows them (same field names for the fields both have), or a table.
 */

const USAGE = 'usage blocks [--claude-config-dir DIR]... [--ledger FILE] [--no-claude-code] [--json]';

export interface UsageCommandDeps {
  readonly now: () => Date;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
}

/** One block in ccusage's `blocks --json` shape. */
export interface BlockJson {
  readonly id: string;
  readonly startTime: string;
  readonly endTime: string;
  readonly actualEndTime: string | null;
  readonly isActive: boolean;
  readonly isGap: boolean;
  readonly entries: number;
  readonly tokenCounts: {
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly cacheCreationInputTokens: number;
    readonly cacheReadInputTokens: number;
  };
  readonly totalTokens: number;
  readonly costUSD: number;
  readonly models: readonly string[];
  /** Helios only: entries without a known price, counted as $0. */
  readonly unpricedEntries: number;
}

export function blockToJson(b: Block): BlockJson {
  return {
    id: b.id,
    startTime: b.startTime.toISOString(),
    endTime: b.endTime.toISOString(),
    actualEndTime: b.actualEndTime?.toISOString() ?? null,
    isActive: b.isActive,
    isGap: b.isGap,
    entries: b.entryCount,
    tokenCounts: { ...b.tokenCounts },
    totalTokens: b.totalTokens,
    costUSD: b.costUsd,
    models: b.models,
    unpricedEntries: b.unpricedEntries,
  };
}

export function ledgerRecordToEntry(r: UsageRecord): UsageEntry {
  return {
    timestamp: new Date(r.ts),
    model: r.model,
    usage: {
      inputTokens: r.usage.inputTokens,
      outputTokens: r.usage.outputTokens,
      cacheCreationInputTokens: r.usage.cacheCreationInputTokens,
      cacheReadInputTokens: r.usage.cacheReadInputTokens,
    },
    ...(r.costUsd === null ? {} : { costUsd: r.costUsd }),
    ...(r.requestId === null ? {} : { requestId: r.requestId }),
    source: 'helios',
    workspace: r.workspace,
  };
}

interface Sources {
  readonly entries: UsageEntry[];
  readonly claudeCode?: ClaudeCodeUsageReport;
  readonly ledger?: { readonly file: string; readonly records: number; readonly skippedLines: number; readonly alsoInClaudeCode: number };
}

async function loadSources(
  options: { claudeConfigDirs: string[]; ledger?: string; claudeCode: boolean },
  deps: UsageCommandDeps,
): Promise<Sources | { error: string }> {
  let claudeCode: ClaudeCodeUsageReport | undefined;
  if (options.claudeCode) {
    claudeCode = await readClaudeCodeUsage({
      env: deps.env,
      ...(deps.homeDir ? { homeDir: deps.homeDir } : {}),
      ...(options.claudeConfigDirs.length ? { configDirs: options.claudeConfigDirs } : {}),
    });
    if (claudeCode.rejectedDirs.length > 0 && claudeCode.configDirs.length === 0) {
      return { error: `no Claude Code logs: ${claudeCode.rejectedDirs.join(', ')} has no projects/ folder. Point --claude-config-dir at the folder that holds projects/ (default ~/.claude).` };
    }
  }
  const entries = [...(claudeCode?.entries ?? [])];
  if (!options.ledger) return { entries, ...(claudeCode ? { claudeCode } : {}) };

  const { records, skipped } = await new JsonlFile<UsageRecord>(options.ledger, (v) => UsageRecordSchema.parse(v)).readAll();
  // A call Helios made through the user's `claude` binary is in both logs: count it once.
  const claudeRequests = new Set(entries.map((e) => e.requestId).filter((id) => id !== undefined));
  const claudeMessages = new Set(entries.map((e) => e.messageId).filter((id) => id !== undefined));
  let alsoInClaudeCode = 0;
  for (const r of records) {
    const inBoth = (r.requestId !== null && claudeRequests.has(r.requestId)) || (r.messageIds ?? []).some((m) => claudeMessages.has(m));
    if (inBoth) alsoInClaudeCode++;
    else entries.push(ledgerRecordToEntry(r));
  }
  return {
    entries,
    ...(claudeCode ? { claudeCode } : {}),
    ledger: { file: options.ledger, records: records.length, skippedLines: skipped, alsoInClaudeCode },
  };
}

export function createUsageCommand(deps: UsageCommandDeps): { usage: string; run(argv: string[]): Promise<number> } {
  return {
    usage: USAGE,
    async run(argv) {
      const [sub, ...rest] = argv;
      if (sub !== 'blocks') {
        deps.err(`helios: ${sub ? `unknown usage command '${sub}'` : 'usage needs a subcommand'}\n\nUsage:\n  helios ${USAGE}\n`);
        return 2;
      }
      let values;
      try {
        ({ values } = parseArgs({
          args: rest,
          options: {
            'claude-config-dir': { type: 'string', multiple: true, default: [] },
            ledger: { type: 'string' },
            'no-claude-code': { type: 'boolean', default: false },
            json: { type: 'boolean', default: false },
          },
        }));
      } catch (error) {
        deps.err(`helios: ${error instanceof Error ? error.message : String(error)}\n\nUsage:\n  helios ${USAGE}\n`);
        return 2;
      }
      const sources = await loadSources({
        claudeConfigDirs: values['claude-config-dir'],
        ...(values.ledger ? { ledger: values.ledger } : {}),
        claudeCode: !values['no-claude-code'],
      }, deps);
      if ('error' in sources) {
        deps.err(`helios: ${sources.error}\n`);
        return 1;
      }
      const now = deps.now();
      const blocks = computeBlocks(sources.entries, now);
      const week = rollingTotal(sources.entries, now, 7);
      if (values.json) deps.out(`${JSON.stringify(jsonReport(blocks, week, sources), null, 2)}\n`);
      else deps.out(table(blocks, week, sources));
      return 0;
    },
  };
}

function jsonReport(blocks: readonly Block[], week: RollingTotal, sources: Sources) {
  const cc = sources.claudeCode;
  return {
    blocks: blocks.map(blockToJson),
    last7Days: {
      since: week.since.toISOString(),
      entries: week.entryCount,
      tokenCounts: week.tokenCounts,
      totalTokens: week.totalTokens,
      costUSD: week.costUsd,
      unpricedEntries: week.unpricedEntries,
    },
    sources: {
      ...(cc ? {
        claudeCode: {
          configDirs: cc.configDirs, files: cc.files, entries: cc.entries.length,
          duplicates: cc.duplicates, malformedLines: cc.malformedLines, bytes: cc.bytes,
        },
      } : {}),
      ...(sources.ledger ? { ledger: sources.ledger } : {}),
    },
  };
}

const num = (n: number): string => n.toLocaleString('en-US');
const pad2 = (n: number): string => String(n).padStart(2, '0');
const localTime = (d: Date): string =>
  `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;

function table(blocks: readonly Block[], week: RollingTotal, sources: Sources): string {
  if (blocks.length === 0) return 'No usage found.\n';
  const header = ['Start (local)', 'End', 'Status', 'Calls', 'Input', 'Output', 'Cache write', 'Cache read', 'Total', 'Cost', 'Models'];
  const rows = blocks.map((b) => [
    localTime(b.startTime),
    localTime(b.endTime).slice(b.endTime.toDateString() === b.startTime.toDateString() ? 11 : 0),
    b.isGap ? 'gap' : b.isActive ? 'ACTIVE' : '',
    b.isGap ? '' : num(b.entryCount),
    b.isGap ? '' : num(b.tokenCounts.inputTokens),
    b.isGap ? '' : num(b.tokenCounts.outputTokens),
    b.isGap ? '' : num(b.tokenCounts.cacheCreationInputTokens),
    b.isGap ? '' : num(b.tokenCounts.cacheReadInputTokens),
    b.isGap ? '' : num(b.totalTokens),
    b.isGap ? '' : `$${b.costUsd.toFixed(2)}${b.unpricedEntries ? '+' : ''}`,
    b.models.join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([3, 4, 5, 6, 7, 8, 9]);
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push('', `Last 7 days: ${num(week.totalTokens)} tokens in ${num(week.entryCount)} calls · $${week.costUsd.toFixed(2)}`);
  const unpriced = blocks.reduce((n, b) => n + b.unpricedEntries, 0);
  if (unpriced) out.push(`$…+: ${num(unpriced)} calls of models without a known price are counted as $0.`);
  const cc = sources.claudeCode;
  if (cc) out.push(`Claude Code: ${num(cc.files)} files in ${cc.configDirs.join(', ') || '(none found)'} · ${num(cc.duplicates)} duplicate lines dropped · ${num(cc.malformedLines)} malformed lines skipped`);
  if (sources.ledger) out.push(`Helios ledger: ${num(sources.ledger.records)} calls in ${sources.ledger.file}${sources.ledger.alsoInClaudeCode ? ` (${num(sources.ledger.alsoInClaudeCode)} also in Claude Code's logs, counted once)` : ''}`);
  return `${out.join('\n')}\n`;
}

export const usageCommand = createUsageCommand({
  now: () => new Date(),
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
});
