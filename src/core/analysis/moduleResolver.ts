import path from 'node:path';
import type { Resolution } from './graphTypes';
import type { LanguageResolver } from './languageResolver';

/**
 * TypeScript-style module resolution against the set of files the graph knows, with no file-system
 * calls: relative specifiers, `paths` patterns, `baseUrl`, extension probing, `index` files, and
 * the `.js` → `.ts` mapping ESM TypeScript sources use. Anything that does not resolve to a local
 * file and is not relative is an external package (a leaf of the graph).
 */
export interface ResolverOptions {
  /** Root-relative POSIX directory, `''` for the root itself. */
  readonly baseUrl?: string;
  /** `paths` patterns with root-relative POSIX targets, in tsconfig order. */
  readonly paths?: Readonly<Record<string, readonly string[]>>;
  /** Probe order for extension-less specifiers. */
  readonly extensions?: readonly string[];
  /** Resolvers for other languages (Python, Go), chosen by the importing file. */
  readonly languages?: readonly LanguageResolver[];
}

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

/**
 * What a compiled-output extension maps back to, in TypeScript's order: sources, then the
 * declaration file, then the file as written (a `.d.ts` beside its `.js` wins, as in `tsc`).
 */
const JS_TO_TS: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx', '.ts', '.d.ts'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};

export function isRelativeSpecifier(spec: string): boolean {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('/');
}

/** `@scope/pkg/sub` → `@scope/pkg`; `lodash/fp` → `lodash`; `node:fs` stays `node:fs`. */
export function packageNameOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') && parts.length > 1 ? `${parts[0]}/${parts[1]}` : (parts[0] ?? spec);
}

export class ModuleResolver {
  private readonly cache = new Map<string, Resolution>();
  private readonly extensions: readonly string[];
  private readonly patterns: ReadonlyArray<{ prefix: string; suffix: string; exact: boolean; targets: readonly string[] }>;

  constructor(private readonly hasFile: (file: string) => boolean, private readonly options: ResolverOptions = {}) {
    this.extensions = options.extensions ?? SOURCE_EXTENSIONS;
    // TypeScript prefers the pattern with the longest prefix before `*`; exact keys win outright.
    this.patterns = Object.entries(options.paths ?? {})
      .map(([key, targets]) => {
        const star = key.indexOf('*');
        return star < 0
          ? { prefix: key, suffix: '', exact: true, targets }
          : { prefix: key.slice(0, star), suffix: key.slice(star + 1), exact: false, targets };
      })
      .sort((a, b) => Number(b.exact) - Number(a.exact) || b.prefix.length - a.prefix.length);
  }

  resolve(specifier: string, fromFile: string): Resolution {
    const language = this.options.languages?.find((l) => l.handles(fromFile));
    if (language) return language.resolve(specifier, fromFile, this.hasFile);
    const dir = path.posix.dirname(fromFile);
    const key = isRelativeSpecifier(specifier) ? `${dir}\0${specifier}` : specifier;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.resolveUncached(specifier, dir);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /**
   * Forgets cached answers a change of the file set can alter: every non-local answer when a file
   * appears, and answers naming a file that disappeared.
   */
  invalidate(change: { added?: string; removed?: string }): void {
    for (const [key, r] of this.cache) {
      if ((change.added !== undefined && r.kind !== 'local') || (change.removed !== undefined && r.kind === 'local' && r.file === change.removed)) {
        this.cache.delete(key);
      }
    }
  }

  private resolveUncached(spec: string, dir: string): Resolution {
    const clean = spec.split('?')[0] ?? spec;
    if (isRelativeSpecifier(clean)) {
      const base = clean.startsWith('/') ? clean.slice(1) : path.posix.join(dir, clean);
      const file = this.probe(base, clean.endsWith('/'));
      return file ? { kind: 'local', file } : { kind: 'unresolved' };
    }
    for (const p of this.patterns) {
      const matched = p.exact ? clean === p.prefix : clean.startsWith(p.prefix) && clean.endsWith(p.suffix) && clean.length >= p.prefix.length + p.suffix.length;
      if (!matched) continue;
      const star = p.exact ? '' : clean.slice(p.prefix.length, clean.length - p.suffix.length);
      for (const target of p.targets) {
        const file = this.probe(path.posix.normalize(target.replace('*', star)), false);
        if (file) return { kind: 'local', file };
      }
      // TypeScript stops at the first matching pattern, resolved or not.
      break;
    }
    if (this.options.baseUrl !== undefined) {
      const file = this.probe(path.posix.join(this.options.baseUrl, clean), false);
      if (file) return { kind: 'local', file };
    }
    return { kind: 'external', pkg: packageNameOf(clean) };
  }

  /** A file for `base` as written, with `.js`-family mapped to sources, with an extension, or as a directory's index. */
  private probe(rawBase: string, directoryOnly: boolean): string | undefined {
    // `../` from a top-level folder joins to `./`: the root itself (Continue's `core/index.d.ts`).
    const normal = path.posix.normalize(rawBase).replace(/\/$/, '');
    const base = normal === '.' ? '' : normal;
    if (!directoryOnly) {
      const ext = path.posix.extname(base);
      const mapped = JS_TO_TS[ext];
      if (mapped) {
        const stem = base.slice(0, -ext.length);
        for (const m of mapped) if (this.hasFile(stem + m)) return stem + m;
      }
      if (ext && this.hasFile(base)) return base;
      for (const e of this.extensions) if (this.hasFile(base + e)) return base + e;
    }
    const index = base ? `${base}/index` : 'index';
    for (const e of this.extensions) if (this.hasFile(index + e)) return index + e;
    return undefined;
  }
}
