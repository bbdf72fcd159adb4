import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ts } from 'ts-morph';
import { buildRepoMap, renderSignature } from '../../src/core/analysis/repoMap';
import { likelyFiles, taskIdentifiers, taskTerms } from '../../src/core/analysis/taskFiles';
import { stripCodeComments } from '../../src/core/context/commentStripper';
import { StructuralCompressor, collapseWhitespace, cutProse, dedupeBlocks } from '../../src/core/context/compressor';
import { buildContext, findDeclarations, fullFileContextTokens } from '../../src/core/context/contextBuilder';
import { estimateTokens } from '../../src/core/context/tokenEstimate';
import { openWorkspaceGraph } from '../../src/infra/analysis/workspaceAnalysis';

const FIXTURE = 'test/fixtures/analysis/basic';

describe('token estimate', () => {
  it('follows the simulator rule: ASCII /4, CJK and Hangul 1 each, other non-ASCII /2', () => {
    assert.equal(estimateTokens(''), 0);
    assert.equal(estimateTokens('abcdefgh'), 2);
    assert.equal(estimateTokens('안녕하세요'), 5);
    assert.equal(estimateTokens('abc안녕'), 3);
    assert.equal(estimateTokens('éé'), 1);
  });
});

describe('compressor', () => {
  it('strips comments outside strings and collapses whitespace', () => {
    const code = "const a = '// not a comment'; // comment\n/* block */\n\n\t\tconst b = `/* kept */`;   \nconst c = \"x\\\"y\"; // end";
    assert.equal(collapseWhitespace(stripCodeComments(ts, code)), "const a = '// not a comment';\n    const b = `/* kept */`;\nconst c = \"x\\\"y\";");
    assert.equal(stripCodeComments(ts, 'a /* unterminated'), 'a /* unterminated', 'unsure: left as it was');
  });

  it('drops repeated blocks and cuts prose keeping headings and requirements', () => {
    const block = 'export function repeated(value: string): string;\n// same block';
    assert.equal(dedupeBlocks(`${block}\n\n${block}\n\nshort\n\nshort`), `${block}\n\nshort\n\nshort`);
    const prd = ['# Title', 'Some long introduction '.repeat(20), '## Requirements', '- The system MUST log in users', 'filler '.repeat(50), '1. 사용자는 로그인 해야 한다'].join('\n');
    const cut = cutProse(prd, 40);
    assert.match(cut, /# Title/);
    assert.match(cut, /MUST log in/);
    assert.match(cut, /로그인/);
    assert.doesNotMatch(cut, /filler/);
    assert.equal(cutProse('short', 100), 'short');
  });

  it('reports original and compressed tokens and leaves protected text alone', () => {
    const c = new StructuralCompressor(estimateTokens, (code) => stripCodeComments(ts, code));
    const code = 'const x = 1; // a long explanatory comment that costs tokens\n\n\n';
    const r = c.compress({ text: code, kind: 'code' });
    assert.equal(r.text, 'const x = 1;');
    assert.ok(r.compressedTokens < r.originalTokens);
    assert.equal(new StructuralCompressor().compress({ text: code, kind: 'code' }).text, code.trim(), 'no parser in core: comments kept');
    assert.equal(c.compress({ text: code, kind: 'code', protected: true }).text, code);
    const p = c.compress({ text: '# H\n' + 'word '.repeat(400), kind: 'prose' }, 20);
    assert.ok(p.compressedTokens <= 20);
  });
});

describe('task terms', () => {
  it('splits identifiers and drops stop words', () => {
    assert.deepEqual(taskTerms('Add retry to the computeInvoiceTotal function in user_service'), ['retry', 'compute', 'invoice', 'total', 'user', 'service']);
    assert.deepEqual([...taskIdentifiers('Fix Vector.length and computeTotal in add')], ['Fix', 'Vector', 'computeTotal']);
  });
});

describe('context over the fixture repository', () => {
  it('keeps task files whole, adds only used declarations, then a repo map', async () => {
    const { workspace } = await openWorkspaceGraph({ root: FIXTURE });
    const ctx = await buildContext(workspace, { task: 'Make run() use Vector', files: ['src/app/main.ts', 'src/new.ts'], budgetTokens: 2000 });
    const mainText = (await workspace.text('src/app/main.ts'))!;
    assert.ok(ctx.text.includes(mainText));
    assert.deepEqual(ctx.missingFiles, ['src/new.ts']);
    assert.ok(ctx.text.includes('export function add(a: number, b: number): number;'));
    assert.ok(ctx.text.includes('length(): number;'));
    assert.ok(!ctx.text.includes('return Math.hypot'), 'no bodies of dependencies');
    assert.ok(ctx.text.includes('export const size = 3;'), 'dynamic import: all exports');
    assert.ok(ctx.symbols.every((s) => s.declaredIn !== undefined), JSON.stringify(ctx.symbols));
    assert.equal(ctx.symbols.find((s) => s.name === 'default' && s.specifier === '../lib/math.js')?.declaredIn, 'src/lib/math.ts');
    assert.ok(ctx.sections.some((s) => s.kind === 'repo-map'));
    assert.equal(ctx.taskFilesOverBudget, false);
    assert.ok(ctx.compression.compressedTokens <= ctx.compression.originalTokens);
    assert.ok(ctx.tokens < (await fullFileContextTokens(workspace, ['src/app/main.ts'])) + 400);

    const tight = await buildContext(workspace, { task: 'x', files: ['src/app/main.ts'], budgetTokens: 10 });
    assert.equal(tight.taskFilesOverBudget, true);
    assert.ok(tight.text.includes(mainText), 'never dropped');
  });

  it('follows re-export chains and renamed local exports', async () => {
    const { workspace } = await openWorkspaceGraph({ root: FIXTURE });
    assert.deepEqual((await findDeclarations(workspace, 'src/lib/index.ts', 'formatPoint')).map((d) => [d.file, d.symbol.name]), [['src/util/format.ts', 'format']]);
    assert.deepEqual((await findDeclarations(workspace, 'src/lib/index.ts', 'Vector')).map((d) => d.file), ['src/lib/math.ts']);
    assert.deepEqual((await findDeclarations(workspace, 'src/lib/index.ts', 'nothing')), []);
    assert.ok((await findDeclarations(workspace, 'src/lib/index.ts', '*')).length >= 8);
  });

  it('ranks files for a task and renders a budgeted repo map', async () => {
    const { workspace } = await openWorkspaceGraph({ root: FIXTURE });
    const likely = await likelyFiles(workspace, { text: 'Change how format renders a Point in src/util/format.ts', files: ['src/app/lazy.ts'] });
    assert.equal(likely[0]?.file, 'src/app/lazy.ts');
    assert.equal(likely[1]?.file, 'src/util/format.ts');
    const map = await buildRepoMap(workspace, { budgetTokens: 60, focusFiles: ['src/app/main.ts'], focusText: 'Vector' });
    assert.ok(map.tokens <= 60);
    assert.ok(map.omitted > 0);
    const big = await buildRepoMap(workspace, { budgetTokens: 5000 });
    assert.equal(big.files.length, workspace.graph.size);
    assert.equal(renderSignature(`interface A {\n  // c\n  b: ${'x'.repeat(300)}\n}`).endsWith('…'), true);
  });
});
