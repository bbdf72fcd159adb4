import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A seeded generator of realistic TypeScript repositories for the dependency-graph tests and
 * benchmark (third-party code is never committed). Each repo has `tsconfig` `paths` and `baseUrl`,
 * feature folders with `index.ts` barrels (`export *`, named re-exports), `.js`-suffixed ESM
 * imports, type-only imports, dynamic `import()`, CommonJS `require` in `.js` files, external
 * packages, and deliberate import cycles.
 */
export interface GeneratedRepo {
  readonly root: string;
  readonly files: readonly string[];
  /** Every local edge the generator wrote (`from → to`, root-relative), for ground truth. */
  readonly edges: ReadonlyArray<{ from: string; to: string; typeOnly: boolean; dynamic: boolean }>;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['user', 'order', 'invoice', 'payment', 'session', 'cart', 'report', 'audit', 'token', 'profile', 'search', 'export', 'upload', 'billing', 'queue', 'cache', 'router', 'schema', 'ledger', 'metric'];
const ROLES = ['service', 'store', 'model', 'view', 'util', 'client', 'mapper', 'policy', 'hooks', 'events'];
const PACKAGES = ['zod', 'lru-cache', 'lodash', 'rxjs', 'date-fns'];

interface Module {
  readonly file: string;
  readonly feature: number;
  readonly stem: string;
  readonly exports: { fn: string; type: string; cls: string };
}

function pascal(s: string): string {
  return s.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase());
}

function relativeSpec(from: string, to: string, style: 'plain' | 'js'): string {
  let rel = path.posix.relative(path.posix.dirname(from), to).replace(/\.tsx?$/, '');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return style === 'js' ? `${rel}.js` : rel;
}

function body(rand: () => number, m: Module, lines: number): string {
  const { fn, type, cls } = m.exports;
  const out: string[] = [
    `/** ${type}: the ${m.stem} record of feature ${m.feature}. */`,
    `export interface ${type} {`,
    '  readonly id: string;',
    '  readonly createdAt: Date;',
    `  readonly amount: number;`,
    '  tags?: readonly string[];',
    '}',
    '',
    `export function ${fn}(input: ${type}, factor = ${Math.floor(rand() * 9) + 1}): number {`,
    '  // Weighted by the factor so callers can tune it.',
    '  let total = input.amount * factor;',
  ];
  for (let i = 0; i < lines; i++) out.push(`  total += ${i} * (input.tags?.length ?? 0) + '${m.stem}'.length;`);
  out.push('  return total;', '}', '', `export class ${cls} {`, `  private readonly items = new Map<string, ${type}>();`,
    `  constructor(readonly name: string) {}`, `  add(item: ${type}): void {`, '    this.items.set(item.id, item);', '  }',
    `  get size(): number {`, '    return this.items.size;', '  }', '}', '');
  return out.join('\n');
}

/** Writes a repository of about `fileCount` files under `root`, deterministically from `seed`. */
export function generateRepo(root: string, fileCount: number, seed = 42): GeneratedRepo {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const featureCount = Math.max(2, Math.round(fileCount / 12));
  const modules: Module[] = [];
  for (let f = 0; modules.length < fileCount - featureCount - 1; f = (f + 1) % featureCount) {
    const n = modules.filter((m) => m.feature === f).length;
    const stem = `${NOUNS[f % NOUNS.length]}-${ROLES[n % ROLES.length]}${n >= ROLES.length ? n : ''}`;
    const ext = rand() < 0.1 ? '.tsx' : '.ts';
    const id = `${pascal(stem)}F${f}`;
    modules.push({ file: `src/features/f${f}/${stem}${ext}`, feature: f, stem, exports: { fn: `compute${id}`, type: `${id}Data`, cls: `${id}Store` } });
  }
  const edges: Array<{ from: string; to: string; typeOnly: boolean; dynamic: boolean }> = [];
  const texts = new Map<string, string[]>();
  const header = (file: string) => texts.get(file) ?? (texts.set(file, []), texts.get(file)!);

  for (const [i, m] of modules.entries()) {
    const lines = header(m.file);
    const importCount = 2 + Math.floor(rand() * 5);
    const used = new Set<string>();
    for (let k = 0; k < importCount; k++) {
      // Mostly earlier modules (a layered code base), sometimes a later one (a cycle).
      const back = rand() < 0.08;
      const j = back ? Math.min(modules.length - 1, i + 1 + Math.floor(rand() * 20)) : Math.floor(rand() * Math.max(1, i));
      const target = modules[j]!;
      if (j === i || used.has(target.file)) continue;
      used.add(target.file);
      const roll = rand();
      const sameFeature = target.feature === m.feature;
      if (roll < 0.15) {
        lines.push(`import type { ${target.exports.type} } from '${relativeSpec(m.file, target.file, 'plain')}';`);
        edges.push({ from: m.file, to: target.file, typeOnly: true, dynamic: false });
      } else if (roll < 0.3 && !sameFeature) {
        lines.push(`import { ${target.exports.fn} } from '@app/features/f${target.feature}/${path.posix.basename(target.file).replace(/\.tsx?$/, '')}';`);
        edges.push({ from: m.file, to: target.file, typeOnly: false, dynamic: false });
      } else if (roll < 0.42 && !sameFeature) {
        lines.push(`import { ${target.exports.cls} } from '${relativeSpec(m.file, `src/features/f${target.feature}/index.ts`, 'plain').replace(/\/index$/, '')}';`);
        edges.push({ from: m.file, to: `src/features/f${target.feature}/index.ts`, typeOnly: false, dynamic: false });
      } else if (roll < 0.55) {
        lines.push(`import { ${target.exports.fn}, type ${target.exports.type} } from '${relativeSpec(m.file, target.file, 'js')}';`);
        edges.push({ from: m.file, to: target.file, typeOnly: false, dynamic: false });
      } else if (roll < 0.6) {
        lines.push(`export const load${k}${target.exports.cls} = () => import('${relativeSpec(m.file, target.file, 'plain')}');`);
        edges.push({ from: m.file, to: target.file, typeOnly: false, dynamic: true });
      } else {
        lines.push(`import { ${target.exports.fn} as fn${k}, ${target.exports.cls} } from '${relativeSpec(m.file, target.file, 'plain')}';`);
        edges.push({ from: m.file, to: target.file, typeOnly: false, dynamic: false });
      }
    }
    if (rand() < 0.3) lines.push(`import { z } from '${pick(PACKAGES)}';`);
    lines.push('', body(rand, m, 5 + Math.floor(rand() * 40)));
  }

  const files: string[] = [];
  const write = (file: string, text: string) => {
    const abs = path.join(root, file);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    files.push(file);
  };
  for (const m of modules) write(m.file, `${texts.get(m.file)!.join('\n')}\n`);
  for (let f = 0; f < featureCount; f++) {
    const members = modules.filter((m) => m.feature === f);
    const lines = members.map((m, k) => {
      const spec = `./${path.posix.basename(m.file).replace(/\.tsx?$/, '')}`;
      edges.push({ from: `src/features/f${f}/index.ts`, to: m.file, typeOnly: false, dynamic: false });
      return k % 3 === 0 ? `export * from '${spec}';` : `export { ${m.exports.fn}, ${m.exports.cls}, type ${m.exports.type} } from '${spec}';`;
    });
    write(`src/features/f${f}/index.ts`, `${lines.join('\n')}\n`);
  }
  const first = modules[0]!;
  write('src/legacy/boot.js', `const core = require('../features/f${first.feature}/index');\nconst fs = require('node:fs');\nmodule.exports = { core, fs };\n`);
  edges.push({ from: 'src/legacy/boot.js', to: `src/features/f${first.feature}/index.ts`, typeOnly: false, dynamic: false });
  write('tsconfig.json', JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, allowJs: true, jsx: 'react-jsx', baseUrl: '.', paths: { '@app/*': ['src/*'] } },
    include: ['src'],
  }, null, 2));
  return { root, files: files.filter((f) => f.startsWith('src/')), edges };
}
