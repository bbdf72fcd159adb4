// Copies the README's images from the end-to-end suite's screenshots (test-results/e2e/) to
// media/readme/, so the README shows what the suite last saw. Run the suites first, e.g.
//   npm run package && node scripts/runTests.mjs test/e2e/decompose.test.ts
// then `npm run readme:images`. Fails, naming what is missing, when a screenshot is not there.
//
// A screenshot is named `<suite>-NN-<step>.png` by test/e2e/harness.ts; NN moves when a suite
// gains a step, so a source is named by its suite and step only. To change the README's images,
// edit IMAGES (and the README's references to media/readme/<name>).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'test-results', 'e2e');
const targetDir = path.join(root, 'media', 'readme');

/** README image ← the screenshot of `step` in `suite`. */
export const IMAGES = [
  { name: 'plan-dag.png', suite: 'decompose', step: 'plan-done-verified' },
  { name: 'review.png', suite: 'decompose', step: 'review-comment-inline' },
  { name: 'budget-panel.png', suite: 'decompose', step: 'budget-panel' },
  { name: 'plan-diff.png', suite: 'decompose', step: 'plan-diff' },
  { name: 'dashboard.png', suite: 'decompose', step: 'dashboard' },
  { name: 'walkthrough.png', suite: 'newcomer', step: 'walkthrough' },
  { name: 'newcomer-done.png', suite: 'newcomer', step: 'budget-view' },
];

function source({ suite, step }) {
  const pattern = new RegExp(`^${suite}-\\d+-${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.png$`);
  const found = existsSync(resultsDir) ? readdirSync(resultsDir).filter((name) => pattern.test(name)) : [];
  return found.length === 1 ? path.join(resultsDir, found[0]) : found;
}

function main() {
  const missing = [];
  const plan = [];
  for (const image of IMAGES) {
    const from = source(image);
    if (typeof from === 'string') plan.push({ from, to: path.join(targetDir, image.name) });
    else missing.push(`${image.suite}-NN-${image.step}.png (for ${image.name})${from.length > 1 ? `: ${from.length} matches, ${from.join(', ')}` : ''}`);
  }
  if (missing.length > 0) {
    console.error(`refreshReadmeImages: not found in ${path.relative(root, resultsDir)}/:\n  ${missing.join('\n  ')}`);
    console.error('Run the end-to-end suites that take them first, e.g. `npm run package && node scripts/runTests.mjs test/e2e/decompose.test.ts`.');
    process.exit(1);
  }
  mkdirSync(targetDir, { recursive: true });
  for (const { from, to } of plan) {
    copyFileSync(from, to);
    console.log(`${path.relative(root, from)} → ${path.relative(root, to)} (${Math.round(statSync(to).size / 1024)} KB)`);
  }
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const unreferenced = IMAGES.filter((image) => !readme.includes(`media/readme/${image.name}`));
  if (unreferenced.length > 0) console.warn(`warning: README.md does not show ${unreferenced.map((i) => i.name).join(', ')}`);
  const stale = readdirSync(targetDir).filter((name) => !IMAGES.some((image) => image.name === name));
  if (stale.length > 0) console.warn(`warning: media/readme/ also holds ${stale.join(', ')}, which IMAGES no longer lists`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
