import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanTree } from '../../src/core/integration/planTree';
import { changeOf, MemoryTreeStore, OUTCOME } from '../support/memoryTreeStore';

/** A small LCG: the same seed gives the same DAGs and schedules. */
function rng(seed: number): () => number {
  let s = seed % 2_147_483_647 || 1;
  return () => (s = (s * 16_807) % 2_147_483_647) / 2_147_483_647;
}

interface SimTask {
  readonly id: string;
  readonly deps: readonly string[];
  /** The files it edits, each at its own anchor line (so no two tasks' edits overlap). */
  readonly files: readonly string[];
}

const FILES = ['src/app.ts', 'src/types.ts', 'package.json', 'README.md'];
const anchor = (task: string) => `// anchor ${task}`;
const line = (task: string, file: string) => `// ${task} was here (${file})`;

/** Every file starts with one anchor line per task, blank lines between (so insertions never touch). */
function initialFiles(tasks: readonly SimTask[]): Record<string, string> {
  const text = tasks.map((t) => `${anchor(t.id)}\n`).join('\n');
  return Object.fromEntries(FILES.map((f) => [f, text]));
}

/** The task's edit of a file as it reads it: its line right after its own anchor. */
function edit(content: string, task: string, file: string): string {
  return content.replace(`${anchor(task)}\n`, `${anchor(task)}\n${line(task, file)}\n`);
}

function randomDag(random: () => number, size: number): SimTask[] {
  const tasks: SimTask[] = [];
  for (let i = 0; i < size; i++) {
    const deps = tasks.filter(() => random() < 0.3).map((t) => t.id);
    const files = FILES.filter(() => random() < 0.6);
    tasks.push({ id: `T${i + 1}`, deps, files: files.length > 0 ? files : [FILES[0]!] });
  }
  return tasks;
}

/**
 * Over random DAGs with shared files and seeded non-overlapping edits, the plan's tree after tasks
 * ran side by side (each reading the tree when it starts, integrating whenever it finishes) equals
 * applying the tasks one by one in topological order.
 */
describe('integration property: side by side equals one by one', () => {
  it('holds over 200 random DAGs and schedules', async () => {
    const random = rng(17);
    for (let round = 0; round < 200; round++) {
      const tasks = randomDag(random, 2 + Math.floor(random() * 9));
      const base = initialFiles(tasks);

      // One by one, in topological (= index) order.
      const sequential = { ...base };
      for (const t of tasks) for (const f of t.files) sequential[f] = edit(sequential[f]!, t.id, f);

      // Side by side: a random schedule of start (read) and finish (integrate) events.
      const tree = await PlanTree.open({ planId: 'p', store: new MemoryTreeStore(), workspace: { read: (p) => Promise.resolve(base[p]) } });
      const done = new Set<string>();
      const reading = new Map<string, Record<string, string>>();
      const pending = [...tasks];
      while (pending.length > 0 || reading.size > 0) {
        const startable = pending.filter((t) => t.deps.every((d) => done.has(d)));
        const startNow = startable.length > 0 && (reading.size === 0 || random() < 0.5);
        if (startNow) {
          const t = startable[Math.floor(random() * startable.length)]!;
          pending.splice(pending.indexOf(t), 1);
          const read: Record<string, string> = {};
          for (const f of t.files) read[f] = (await tree.read(f))!;
          reading.set(t.id, read);
          continue;
        }
        const running = [...reading.keys()];
        const id = running[Math.floor(random() * running.length)]!;
        const task = tasks.find((t) => t.id === id)!;
        const read = reading.get(id)!;
        reading.delete(id);
        const change = changeOf(id, Object.fromEntries(task.files.map((f) => [f, { base: read[f]!, proposed: edit(read[f]!, id, f) }])));
        const result = await tree.integrate(change, 'fresh', OUTCOME);
        assert.ok(result.ok, `round ${round}: ${id} overlapped ${JSON.stringify(!result.ok && result.overlaps)}`);
        done.add(id);
      }
      const integrated = Object.fromEntries(await Promise.all(FILES.map(async (f) => [f, await tree.read(f)] as const)));
      assert.deepEqual(integrated, sequential, `round ${round}: ${JSON.stringify(tasks)}`);
    }
  });
});
