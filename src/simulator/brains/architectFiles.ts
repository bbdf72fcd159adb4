import { createHash } from 'node:crypto';

/**
 * The files a plan shares, the way real plans share them (the simulator must not make merges
 * easy): T1 creates the entry module, `package.json`, the shared types next to the entry module
 * and the README; every feature after T1 registers in the entry module, some edit `package.json`
 * (their section mentions a dependency or a script, or they are every 4th feature) and a seeded
 * third edit the shared types; documentation tasks edit the README. `linkCreators` then makes
 * every task that edits a file another task created depend on that creator.
 */

export interface SharedFiles {
  readonly entry: string;
  readonly manifest: string;
  readonly types: string;
  readonly readme: string;
}

export const MAX_FILES = 8;
const SOURCE = /\.[cm]?[jt]sx?$/;
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$|^tests?\//;
const MENTIONS_PACKAGE = /\bdependenc|\bscripts?\b|\bnpm\b|\bpnpm\b|\byarn\b|\bpackage\b|의존성|스크립트|패키지/i;

/** The entry module is the first source file T1's section names in backticks, else `src/index.ts`. */
export function sharedFiles(namedByFirstSection: readonly string[]): SharedFiles {
  const entry = namedByFirstSection.find((f) => SOURCE.test(f) && !TEST_FILE.test(f)) ?? 'src/index.ts';
  const slash = entry.lastIndexOf('/');
  const dir = slash > 0 ? entry.slice(0, slash) : 'src';
  const ext = /\.[cm]?jsx?$/.test(entry) ? 'js' : 'ts';
  return { entry, manifest: 'package.json', types: `${dir}/types.${ext}`, readme: 'README.md' };
}

/** T1's files: what its section names (as many as fit), then the shared files it creates. */
export function rootFiles(own: readonly string[], shared: SharedFiles): string[] {
  const extra = [shared.entry, shared.manifest, shared.types, shared.readme].filter((f, i, all) => !own.includes(f) && all.indexOf(f) === i);
  return [...own.slice(0, MAX_FILES - extra.length), ...extra];
}

/** A stable share of titles, independent of the other seeded choices. */
function seeded(salt: string, text: string, outOf: number): boolean {
  return createHash('sha256').update(`${salt}:${text}`).digest()[0]! % outOf === 0;
}

export type FileRole = 'feature' | 'test' | 'documentation' | 'other';

/**
 * The shared files a later task also touches. `featureIndex` counts features after T1 from 0, so
 * every 4th feature is the one at index 3, 7, 11…
 */
export function sharedFilesFor(role: FileRole, sectionText: string, title: string, featureIndex: number, shared: SharedFiles): string[] {
  const mentionsPackage = MENTIONS_PACKAGE.test(sectionText);
  if (role === 'feature') {
    const out = [shared.entry];
    if (mentionsPackage || featureIndex % 4 === 3) out.push(shared.manifest);
    if (seeded('types', title, 3)) out.push(shared.types);
    return out;
  }
  if (role === 'test') return mentionsPackage ? [shared.manifest] : [];
  if (role === 'documentation') return [shared.readme];
  return [];
}

/** Appends files not already listed, up to MAX_FILES. */
export function withFiles(files: readonly string[], more: readonly string[]): string[] {
  const out = [...files];
  for (const f of more) if (out.length < MAX_FILES && !out.includes(f)) out.push(f);
  return out;
}

/**
 * Adds an edge from every task to the creator (first lister) of each file it lists, unless the
 * creator is already an ancestor. Creators are earlier tasks, so the graph stays acyclic.
 */
export function linkCreators(tasks: readonly { readonly files: readonly string[]; readonly dependsOn: string[] }[]): void {
  const creator = new Map<string, number>();
  const ancestors: Set<number>[] = [];
  const index = (id: string) => Number(id.slice(1)) - 1;
  tasks.forEach((task, i) => {
    const mine = new Set<number>();
    const adopt = (j: number) => {
      mine.add(j);
      for (const a of ancestors[j] ?? []) mine.add(a);
    };
    for (const dep of task.dependsOn) adopt(index(dep));
    for (const file of task.files) {
      const c = creator.get(file);
      if (c === undefined) creator.set(file, i);
      else if (c !== i && !mine.has(c)) {
        task.dependsOn.push(`T${c + 1}`);
        adopt(c);
      }
    }
    task.dependsOn.sort((a, b) => index(a) - index(b));
    ancestors.push(mine);
  });
}
