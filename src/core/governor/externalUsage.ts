import { findModel } from '../../shared/models';
import type { UsageEntry } from '../usage/blocks';
import type { UsageRecord } from '../usage/usageLedger';

/**
 * Claude Code's own calls (read from its local logs, read-only) as ledger-shaped records, so the
 * window the governor meters is the account's whole window when the user also uses Claude Code.
 */
export function recordFromClaudeCodeEntry(entry: UsageEntry): UsageRecord {
  return {
    v: 1,
    ts: entry.timestamp.toISOString(),
    workspace: entry.workspace ?? 'claude-code',
    provider: 'claude-code-log',
    model: entry.model,
    family: findModel(entry.model)?.family ?? null,
    requestId: entry.requestId ?? null,
    usage: { ...entry.usage, cacheCreation5mTokens: 0, cacheCreation1hTokens: 0 },
    costUsd: entry.costUsd ?? null,
    agent: null,
    planId: null,
    taskId: null,
    ...(entry.messageId ? { messageIds: [entry.messageId] } : {}),
  };
}

/**
 * Ledger records win over external ones for the same call — a Helios call made through `claude -p`
 * shows up in Claude Code's logs too — matched by request id or by message id.
 */
export function mergeRecords(ledger: readonly UsageRecord[], external: readonly UsageRecord[]): UsageRecord[] {
  const requests = new Set(ledger.map((r) => r.requestId).filter((id): id is string => id !== null));
  const messages = new Set(ledger.flatMap((r) => r.messageIds ?? []));
  const known = (r: UsageRecord) => (r.requestId !== null && requests.has(r.requestId)) || (r.messageIds ?? []).some((m) => messages.has(m));
  return [...ledger, ...external.filter((r) => !known(r))];
}
