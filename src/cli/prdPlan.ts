import path from 'node:path';
import { decomposePrd } from '../core/agents/architect';
import type { PrdDocument } from '../core/agents/prdInput';
import { HeliosError, isHeliosError } from '../core/errors/heliosError';
import type { LlmClient } from '../core/llm/llmClient';
import { createPlan } from '../core/plan/plan';
import { writeFileAtomic } from '../infra/storage/atomicFile';
import { FilePlanStore } from '../infra/storage/filePlanStore';
import { acquirePlanRunLock, type PlanRunLock } from '../infra/storage/planRunLock';
import type { Plan } from '../shared/taskGraph';
import { reportCorruptState } from './runFaults';

export interface PrdPlanOptions {
  readonly client: LlmClient;
  readonly stateDir: string;
  /** The Architect's output budget (`--max-output-tokens`). */
  readonly maxOutputTokens: number;
  /** Plan afresh even when a stored plan matches the PRD (`--replan`). */
  readonly replan: boolean;
  readonly log: (line: string) => void;
  /** Locks taken here are added; the caller releases them with the plans' run locks. */
  readonly locks: PlanRunLock[];
}

/**
 * `helios run PRD.md`: the plan of this PRD. A stored plan (`<state>/plans/`) made from the same
 * bytes (its `prdSha256`) is resumed — no Architect call, finished tasks not re-run; a PRD whose
 * content changed since its stored plan (same path, other hash) stops with `prd_changed` until the
 * user asks for `--replan`; otherwise the Architect plans it and the plan is stored.
 *
 * The PRD is locked (`plans/prd-<hash>.lock`) for the whole run, so two `run PRD.md` at once on a
 * fresh state folder cannot both pay the Architect and then run two copies of the plan.
 */
export async function planForPrd(prd: PrdDocument, options: PrdPlanOptions): Promise<Plan> {
  const { log, stateDir } = options;
  options.locks.push(await lockPrd(stateDir, prd));
  const stored = await new FilePlanStore(stateDir, { onCorrupt: reportCorruptState(log, 'plan') }).list();
  if (!options.replan) {
    const same = stored.find((p) => p.prdSha256 === prd.sha256);
    if (same) {
      log(`Resuming plan ${same.id}: ${prd.path} is unchanged since it was planned (${same.createdAt}), so the Architect is not called again.`);
      return same;
    }
    const changed = stored.find((p) => p.prdPath === prd.path);
    if (changed) {
      throw new HeliosError('prd_changed', `${prd.path} changed since plan ${changed.id} was made`, {
        prd: prd.path, planId: changed.id, createdAt: changed.createdAt,
      });
    }
  }
  log(`Decomposing ${prd.path}…`);
  const result = await decomposePrd(prd, { client: options.client, model: 'claude-opus-5-5', maxOutputTokens: options.maxOutputTokens });
  const plan = createPlan({ prd, result, provider: options.client.provider, now: new Date() });
  await writeFileAtomic(path.join(stateDir, 'plans', `${plan.id}.json`), JSON.stringify(plan, null, 1));
  return plan;
}

/** The path a PRD's plan records: relative to the workspace when inside it, else absolute. */
export function prdPathOf(input: string, workspaceDir: string): string {
  const absolute = path.resolve(input);
  const relative = path.relative(workspaceDir, absolute);
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  return (inside ? relative : absolute).split(path.sep).join('/');
}

async function lockPrd(stateDir: string, prd: PrdDocument): Promise<PlanRunLock> {
  try {
    return await acquirePlanRunLock(path.join(stateDir, 'plans'), `prd-${prd.sha256.slice(0, 16)}`);
  } catch (error) {
    if (!isHeliosError(error, 'plan_running')) throw error;
    throw new HeliosError('plan_running', `${prd.path} is being planned or run by pid ${String(error.details.pid ?? '?')}`, { ...error.details, prd: prd.path }, { cause: error });
  }
}
