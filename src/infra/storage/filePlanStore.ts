import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PlanStore } from '../../core/plan/plan';
import { parsePlan } from '../../core/plan/planSchema';
import type { Plan } from '../../shared/taskGraph';
import { readJsonFile, writeFileAtomic } from './atomicFile';
import { moveAside } from './corruptFile';

export interface PlanStoreEvents {
  /**
   * A stored file could not be read: it was moved to `aside` (`*.corrupt-<time>`), never deleted,
   * and reads as missing from now on; the caller tells the user.
   */
  onCorrupt?(file: string, error: string, aside: string | undefined): void;
}

/**
 * Plans as JSON files in a folder (the workspace storage): `plans/<id>.json`, plus `latest.json`
 * naming the newest. Every write is atomic, so a crash or a second window never leaves half a plan.
 */
export class FilePlanStore implements PlanStore {
  constructor(
    private readonly dir: string,
    private readonly events: PlanStoreEvents = {},
  ) {}

  async save(plan: Plan): Promise<void> {
    await writeFileAtomic(this.planFile(plan.id), JSON.stringify(plan, null, 1));
    await writeFileAtomic(path.join(this.dir, 'latest.json'), JSON.stringify({ id: plan.id }));
  }

  async latest(): Promise<Plan | undefined> {
    const pointer = await readJsonFile(path.join(this.dir, 'latest.json'), (v) => {
      const id = (v as { id?: unknown }).id;
      if (typeof id !== 'string' || !/^[\w.-]+$/.test(id)) throw new Error('latest.json has no valid id');
      return id;
    });
    if (pointer.kind === 'missing') return undefined;
    if (pointer.kind === 'corrupt') {
      await this.corrupt(path.join(this.dir, 'latest.json'), pointer.error);
      return undefined;
    }
    const file = this.planFile(pointer.value);
    const plan = await readJsonFile(file, parsePlan);
    if (plan.kind === 'corrupt') await this.corrupt(file, plan.error);
    return plan.kind === 'ok' ? plan.value : undefined;
  }

  async list(): Promise<Plan[]> {
    let names: string[];
    try {
      names = await readdir(path.join(this.dir, 'plans'));
    } catch {
      return [];
    }
    const plans: Plan[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = path.join(this.dir, 'plans', name);
      const read = await readJsonFile(file, parsePlan);
      if (read.kind === 'ok') plans.push(read.value);
      else if (read.kind === 'corrupt') await this.corrupt(file, read.error);
    }
    return plans.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  private async corrupt(file: string, error: string): Promise<void> {
    this.events.onCorrupt?.(file, error, await moveAside(file));
  }

  private planFile(id: string): string {
    return path.join(this.dir, 'plans', `${id}.json`);
  }
}
