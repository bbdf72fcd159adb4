import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runWorkflowBench } from '../../src/cli/benchWorkflow';
import { createContextHook } from '../../src/core/context/contextHook';
import { openWorkspaceGraph } from '../../src/infra/analysis/workspaceAnalysis';
import type { Plan, Task } from '../../src/shared/taskGraph';

const FIXTURE = 'test/fixtures/analysis/basic';

function task(files: string[]): Task {
  return { id: 'T1', title: 'Format the point', description: 'Use format and the math helpers.', files } as unknown as Task;
}

/** The hook as `helios run` builds it (runServices' `workspaceContext`), events as lines. */
function hookFor(root: string, lines: string[]): ReturnType<typeof createContextHook> {
  return createContextHook(async () => {
    const { workspace, stats } = await openWorkspaceGraph({ root });
    return { workspace, files: stats.files, ms: stats.totalMs };
  }, { onEvent: (e) => lines.push(`${e.kind} ${JSON.stringify(e)}`) });
}

describe('helios run: the Coder context hook', () => {
  it('builds the context from the workspace graph: task files whole, imported declarations', async () => {
    const lines: string[] = [];
    const hook = hookFor(FIXTURE, lines);
    const text = await hook({} as Plan, task(['src/util/format.ts']));
    assert.ok(text, lines.join('\n'));
    assert.match(text, /### src\/util\/format\.ts/);
    assert.match(text, /Declarations used from other files/);
    assert.match(text, /Point/);
    assert.ok(lines.some((l) => l.startsWith('opened')), lines.join('\n'));
  });

  it('gives a Python task its file whole and the imported module\'s signatures, not its body', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'helios-py-context-'));
    await mkdir(path.join(root, 'pkg'), { recursive: true });
    await mkdir(path.join(root, 'app'), { recursive: true });
    await writeFile(path.join(root, 'pkg', '__init__.py'), '');
    await writeFile(path.join(root, 'pkg', 'util.py'), 'def slugify(title: str, sep: str = "-") -> str:\n    cleaned = title.strip().lower()\n    return sep.join(cleaned.split())  # BODY-MARKER\n');
    await writeFile(path.join(root, 'app', 'main.py'), 'from pkg.util import slugify\n\n\ndef handler(title: str) -> str:\n    return slugify(title)\n');
    const lines: string[] = [];
    const text = await hookFor(root, lines)({} as Plan, task(['app/main.py']));
    assert.ok(text, lines.join('\n'));
    assert.match(text, /### app\/main\.py/);
    assert.match(text, /def handler\(title: str\) -> str:\n {4}return slugify\(title\)/, 'the task\'s own file whole');
    assert.match(text, /def slugify\(title: str, sep: str = "-"\) -> str/, 'the imported signature');
    assert.ok(!text.includes('BODY-MARKER'), 'not the imported module\'s body');
  });

  it('falls back to no context when the workspace cannot be analysed', async () => {
    const lines: string[] = [];
    assert.equal(await hookFor('/nonexistent/helios-workspace', lines)({} as Plan, task(['src/a.ts'])), undefined, 'an empty graph gives no context');
    const failing = createContextHook(() => Promise.reject(new Error('parser missing')), { onEvent: (e) => lines.push(`${e.kind} ${JSON.stringify(e)}`) });
    assert.equal(await failing({} as Plan, task(['src/a.ts'])), undefined);
    assert.equal(await failing({} as Plan, task(['src/b.ts'])), undefined);
    assert.equal(lines.filter((l) => l.startsWith('unavailable')).length, 1, 'opened once, reported once');
  });
});

describe('workflow bench: the context builder in helios mode', () => {
  it('cuts Coder context by at least 60 % against full-file context, every imported symbol present', async () => {
    const r = await runWorkflowBench({ plans: 3, speedUp: 400 });
    assert.ok(r.context.tasks > 0);
    assert.ok(r.context.reduction_vs_full_workspace >= 0.6, `cut ${r.context.reduction_vs_full_workspace}`);
    assert.equal(r.context.all_imported_symbols_present, true, r.context.missing_symbols.join('\n'));
    assert.equal(r.helios.tasks_done, r.helios.tasks);
    assert.equal(r.targets.context_cut_at_least_60pct, true);
  });
});
