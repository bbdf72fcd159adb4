import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Plan, TaskGraph, TaskStatus } from '../../shared/taskGraph';
import { ZERO_USAGE } from '../../shared/usage';
import { HeliosError } from '../errors/heliosError';
import { PlanSchema } from './planSchema';
import { TaskGraphSchema } from './taskGraphSchema';
import { validateTaskGraph, type GraphIssue } from './validateTaskGraph';

/** Why a plan file was refused: not JSON at all, not a plan's shape, or a graph that cannot run. */
export type PlanFileProblem = 'not_json' | 'not_a_plan' | 'invalid_graph';

/** At most this many problems are named; a file with hundreds of broken tasks gets "and N more". */
const MAX_PROBLEMS = 5;
/** A wrong shape is named by its first problems only: the example in the message shows the rest. */
const MAX_SCHEMA_PROBLEMS = 2;

/**
 * A plan file's text → a Plan, checked exactly like the Architect's output (ids unique,
 * dependencies known, no self-dependency or cycle, paths inside the workspace) before anything
 * runs: the scheduler assumes a valid DAG, and a cycle there never finishes.
 *
 * Two shapes are accepted: a stored plan (the output of `helios decompose --json`), and a bare
 * task graph `{"tasks": […]}` written by hand or by another tool. The latter becomes a plan with a
 * PRD-less origin (`prdPath: ''`) whose id is derived from the file's content, so running the same
 * file again resumes the same plan. Anything else throws `plan_invalid` with `{ path, problem,
 * problems }`; the problems are short phrases for the user, not a schema dump.
 */
export function planFromJson(text: string, fileName: string, now: Date = new Date()): Plan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw planInvalid(fileName, 'not_json', [cause instanceof Error ? cause.message : String(cause)], cause);
  }
  const plan = isBareGraph(json) ? graphPlan(json, text, fileName, now) : storedPlan(json, fileName);
  const issues = validateTaskGraph(plan.graph);
  if (issues.length > 0) throw planInvalid(fileName, 'invalid_graph', issues.map(issuePhrase));
  return plan;
}

function isBareGraph(json: unknown): boolean {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && 'tasks' in json && !('graph' in json) && !('version' in json);
}

function storedPlan(json: unknown, fileName: string): Plan {
  const parsed = PlanSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw planInvalid(fileName, 'not_a_plan', schemaPhrases(parsed.error));
  return parsed.data;
}

function graphPlan(json: unknown, text: string, fileName: string, now: Date): Plan {
  const parsed = TaskGraphSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw planInvalid(fileName, 'not_a_plan', schemaPhrases(parsed.error));
  const graph: TaskGraph = parsed.data;
  const sha256 = createHash('sha256').update(text).digest('hex');
  const status: Record<string, TaskStatus> = {};
  for (const t of graph.tasks) status[t.id] = t.dependsOn.length === 0 ? 'ready' : 'pending';
  return {
    version: 1,
    id: `graph-${sha256.slice(0, 12)}`,
    createdAt: now.toISOString(),
    prdPath: '',
    prdSha256: '',
    plannedBy: 'task graph file',
    provider: 'none',
    graph,
    status,
    usage: ZERO_USAGE,
    costUsd: 0,
    repairs: 0,
  };
}

/** Zod's issues, short: missing keys grouped per object ("tasks.0 lacks title, files"), at most two phrases. */
function schemaPhrases(error: z.ZodError): string[] {
  const missing = new Map<string, string[]>();
  const other: string[] = [];
  for (const issue of error.issues) {
    if (issue.input === undefined && issue.path.length > 0 && issue.code !== 'custom') {
      const at = issue.path.slice(0, -1).join('.') || 'the top level';
      missing.set(at, [...(missing.get(at) ?? []), String(issue.path[issue.path.length - 1])]);
    } else other.push(`${issue.path.length > 0 ? issue.path.join('.') : 'the top level'}: ${issue.message}`);
  }
  const phrases = [...[...missing].map(([at, keys]) => `${at} lacks ${keys.join(', ')}`), ...other];
  return phrases.length <= MAX_SCHEMA_PROBLEMS ? phrases : [...phrases.slice(0, MAX_SCHEMA_PROBLEMS), `and ${phrases.length - MAX_SCHEMA_PROBLEMS} more`];
}

/** One broken graph rule as a short phrase: "dependency cycle T1 → T3 → T1". */
export function issuePhrase(issue: GraphIssue): string {
  switch (issue.code) {
    case 'empty': return 'it has no tasks';
    case 'duplicate_id': return `id ${issue.taskId} is used more than once`;
    case 'unknown_dependency': return `${issue.taskId} depends on ${issue.dependency}, which is not a task of the plan`;
    case 'self_dependency': return `${issue.taskId} depends on itself`;
    case 'cycle': return `dependency cycle ${issue.cycle.join(' → ')}`;
    case 'unsafe_path': return `${issue.taskId} names ${issue.path}, which is outside the workspace`;
  }
}

function limit(phrases: readonly string[]): string[] {
  const unique = [...new Set(phrases)];
  return unique.length <= MAX_PROBLEMS ? unique : [...unique.slice(0, MAX_PROBLEMS), `and ${unique.length - MAX_PROBLEMS} more`];
}

function planInvalid(path: string, problem: PlanFileProblem, problems: readonly string[], cause?: unknown): HeliosError {
  const listed = problem === 'invalid_graph' ? limit(problems) : [...problems];
  return new HeliosError('plan_invalid', `${path}: ${problem}: ${listed.join('; ')}`, { path, problem, problems: listed }, cause === undefined ? undefined : { cause });
}
