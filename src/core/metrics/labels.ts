import { findModel } from '../../shared/models';

/**
 * Label values are bounded: every label has a closed set of values or a hard cap on distinct
 * values, so a long-running host cannot grow the registry without limit. No task ids, plan ids or
 * file paths ever become labels.
 */
export const OTHER = 'other';
export const AGENT_TYPES = ['architect', 'coder', 'reviewer', 'tester', 'analysis'] as const;
export const TOKEN_KINDS = ['input', 'output', 'cache_read', 'cache_write'] as const;
export const CACHE_LEVELS = ['l1', 'l2', 'l3'] as const;
/** Why L3 gave its answer as a hint instead of serving it (see core/cache/semanticCache). */
export const L3_HINT_REASONS = ['fingerprint', 'not_servable'] as const;
/** The L3 guards that can block a lookup (see core/cache/semanticCache). */
export const L3_GUARDS = ['agent_task_type', 'tier', 'fingerprint', 'threshold', 'words', 'trust'] as const;
export const GOVERNOR_STATES = ['ok', 'throttled', 'paused'] as const;
export const TASK_OUTCOMES = ['success', 'failure', 'skipped'] as const;
/** Distinct projects per host before further ones are counted as `other`. */
export const MAX_PROJECTS = 32;
const MAX_PROJECT_LABEL = 48;

export type TokenKind = (typeof TOKEN_KINDS)[number];

/** Known model ids pass through (a closed table); anything else is `other`. */
export function modelLabel(model: string): string {
  return findModel(model)?.id ?? OTHER;
}

export function agentLabel(agent: string | null | undefined): string {
  return agent && (AGENT_TYPES as readonly string[]).includes(agent) ? agent : OTHER;
}

/**
 * The workspace folder's base name (from a `file://` URI or a path), reduced to
 * `[a-z0-9._-]`: readable in Grafana, never a full path.
 */
export function projectName(workspace: string): string {
  const trimmed = workspace.replace(/[\\/]+$/, '');
  const base = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
  let decoded = base;
  try {
    decoded = decodeURIComponent(base);
  } catch {
    // A stray % in a folder name: keep the raw text.
  }
  const clean = decoded.toLowerCase().replace(/[^a-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, MAX_PROJECT_LABEL);
  return clean || 'unnamed';
}

/** Hands out project labels, at most `max` distinct ones; later projects share `other`. */
export class ProjectLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly max = MAX_PROJECTS) {}

  labelOf(workspace: string): string {
    const name = projectName(workspace);
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return OTHER;
    this.seen.add(name);
    return name;
  }
}
