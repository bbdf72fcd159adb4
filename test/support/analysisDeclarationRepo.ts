import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateRepo, mulberry32, type GeneratedRepo } from './analysisRepoGenerator';

/**
 * A generated repository (analysisRepoGenerator) with declaration files in it, the way real ones
 * have them: a `src/types.d.ts` types module that modules import in every style (`import type`,
 * a `.js` specifier with an inline `type`, `export type … from`), a root `index.d.ts` imported as
 * `"../"` and `"../../"` (Continue's `core/index.d.ts`), and `.d.ts` / `.d.mts` files beside the
 * `.js` / `.mjs` they describe.
 */
export interface DeclarationRepo extends GeneratedRepo {
  /** Modules importing `src/types.d.ts`: the specifier written and whether the import is type-only. */
  readonly importers: ReadonlyMap<string, { readonly spec: string; readonly typeOnly: boolean }>;
  /** Files added to the generated ones. */
  readonly added: readonly string[];
}

function relativeTo(from: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(from), to);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

export function generateDeclarationRepo(root: string, fileCount: number, seed: number): DeclarationRepo {
  const repo = generateRepo(root, fileCount, seed);
  const added: string[] = [];
  const write = (file: string, text: string) => {
    const abs = path.join(root, file);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    added.push(file);
  };
  const prepend = (file: string, line: string) => {
    const abs = path.join(root, file);
    writeFileSync(abs, `${line}\n${readFileSync(abs, 'utf8')}`);
  };
  write('src/types.d.ts', 'export interface Settings {\n  readonly name: string;\n}\nexport declare function defaults(): Settings;\nexport type Mode = "a" | "b";\n');
  write('index.d.ts', 'export interface RootConfig {\n  readonly id: string;\n}\n');
  // A declaration beside its JavaScript: TypeScript resolves `./x` and `./x.js` to the declaration.
  write('lib/x.js', 'module.exports = { x: 1 };\n');
  write('lib/x.d.ts', 'export declare const x: number;\n');
  write('lib/m.mjs', 'export const m = 1;\n');
  write('lib/m.d.mts', 'export declare const m: number;\n');
  const importers = new Map<string, { spec: string; typeOnly: boolean }>();
  const rand = mulberry32(seed + 1);
  const modules = repo.files.filter((f) => !f.endsWith('/index.ts') && f.startsWith('src/features/'));
  const wanted = Math.max(4, Math.round(modules.length / 10));
  for (let i = 0; importers.size < wanted && i < wanted * 4; i++) {
    const file = modules[Math.floor(rand() * modules.length)]!;
    if (importers.has(file)) continue;
    const base = relativeTo(file, 'src/types');
    const style = importers.size % 4;
    const [line, spec, typeOnly] =
      style === 0 ? [`import type { Settings } from '${base}';`, base, true] :
      style === 1 ? [`import { defaults, type Mode } from '${base}.js';`, `${base}.js`, false] :
      style === 2 ? [`export type { Mode } from '${base}';`, base, true] :
      [`import { type Settings as S${i} } from '${base}';`, base, true];
    prepend(file, line);
    importers.set(file, { spec, typeOnly });
  }
  write('src/root-user.ts', "import type { RootConfig } from '../';\nexport const a: RootConfig = { id: 'a' };\n");
  write('src/deep/root-user.ts', "import { type RootConfig } from '../../';\nexport const b: RootConfig = { id: 'b' };\n");
  write('src/lib-user.ts', "import { x } from '../lib/x';\nimport { m } from '../lib/m.mjs';\nconst y = require('../lib/x.js');\nexport const z = x + m + y.x;\n");
  return { ...repo, importers, added };
}
