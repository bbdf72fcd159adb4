import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type TypeScript from '@ts-morph/common/dist/typescript.js';
import { contentHash } from '../../core/analysis/workspaceGraph';
import type { ResolverOptions } from '../../core/analysis/moduleResolver';
import { readJsonFile, writeFileAtomic } from '../storage/atomicFile';

const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];

/** The resolver options of a workspace and the config files (with content hashes) they were read from. */
export interface WorkspaceResolverConfig extends ResolverOptions {
  readonly configFile?: string;
  /** Every file TypeScript read to answer (the config and what it `extends`). */
  readonly inputs?: ReadonlyArray<{ readonly file: string; readonly hash: string }>;
}

export function findConfigFile(root: string): string | undefined {
  return CONFIG_NAMES.map((n) => path.join(root, n)).find((f) => existsSync(f));
}

function toRootRelative(root: string, absolute: string): string {
  const rel = path.relative(root, absolute).split(path.sep).join('/');
  return rel === '' ? '' : rel;
}

/**
 * The resolver options a workspace's `tsconfig.json` (or `jsconfig.json`) implies: `baseUrl` and
 * `paths`, following `extends`, made relative to the workspace root. The file list of the config
 * is not expanded (the graph lists files itself), so this stays cheap on large repositories.
 */
export function readResolverOptions(root: string, configFile?: string): WorkspaceResolverConfig {
  const file = configFile ?? findConfigFile(root);
  if (!file) return {};
  // Loaded here, not with the module: a reopened workspace takes these options from its cache.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('@ts-morph/common/dist/typescript.js') as typeof TypeScript;
  const inputs = new Map<string, string>();
  const readFile = (f: string): string | undefined => {
    const text = ts.sys.readFile(f);
    if (text !== undefined) inputs.set(f, contentHash(text));
    return text;
  };
  const read = ts.readConfigFile(file, readFile);
  if (read.error || !read.config) return { configFile: file, inputs: [...inputs].map(([f, hash]) => ({ file: f, hash })) };
  const host: TypeScript.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: () => [],
    fileExists: (f) => ts.sys.fileExists(f),
    readFile,
  };
  const parsed = ts.parseJsonConfigFileContent(read.config, host, path.dirname(file), undefined, file);
  const options = parsed.options;
  const baseUrl = typeof options.baseUrl === 'string' ? options.baseUrl : undefined;
  // TypeScript resolves `paths` against baseUrl, or against the config that declared them.
  const pathsBase = baseUrl ?? (typeof options['pathsBasePath'] === 'string' ? options['pathsBasePath'] : path.dirname(file));
  const paths: Record<string, string[]> = {};
  for (const [key, targets] of Object.entries(options.paths ?? {})) {
    paths[key] = targets.map((t) => toRootRelative(root, path.resolve(pathsBase, t)));
  }
  return {
    configFile: file,
    inputs: [...inputs].map(([f, hash]) => ({ file: f, hash })),
    ...(baseUrl !== undefined ? { baseUrl: toRootRelative(root, baseUrl) } : {}),
    ...(Object.keys(paths).length > 0 ? { paths } : {}),
  };
}

const RESOLVER_CACHE_VERSION = 1;

interface ResolverCacheEntry {
  readonly version: number;
  readonly config: WorkspaceResolverConfig;
}

function parseEntry(value: unknown): ResolverCacheEntry {
  const v = value as Partial<ResolverCacheEntry> | null;
  if (!v || v.version !== RESOLVER_CACHE_VERSION || typeof v.config !== 'object' || v.config === null) throw new Error('not a resolver-options cache');
  return v as ResolverCacheEntry;
}

function unchanged(inputs: WorkspaceResolverConfig['inputs']): boolean {
  return (inputs ?? []).every(({ file, hash }) => {
    try {
      return contentHash(readFileSync(file, 'utf8')) === hash;
    } catch {
      return false;
    }
  });
}

/**
 * `readResolverOptions` with its answer kept in `cacheDir` beside the graph cache, valid while
 * every config file it read has the same content: a reopened workspace does not load TypeScript
 * to re-read its tsconfig. A file `extends` could newly find (a package installed since) is not
 * tracked; editing the config itself re-reads it.
 */
export async function cachedResolverOptions(root: string, cacheDir: string | undefined): Promise<WorkspaceResolverConfig & { readonly fromCache: boolean }> {
  const configFile = findConfigFile(root);
  if (!configFile) return { fromCache: false };
  const cacheFile = cacheDir ? path.join(cacheDir, 'resolver-options.json') : undefined;
  if (cacheFile) {
    const hit = await readJsonFile(cacheFile, parseEntry).catch(() => undefined);
    if (hit?.kind === 'ok' && hit.value.config.configFile === configFile && unchanged(hit.value.config.inputs)) return { ...hit.value.config, fromCache: true };
  }
  const config = readResolverOptions(root, configFile);
  // Best effort: a cache that cannot be written only costs the next session a re-read.
  if (cacheFile) await writeFileAtomic(cacheFile, JSON.stringify({ version: RESOLVER_CACHE_VERSION, config })).catch(() => undefined);
  return { ...config, fromCache: false };
}
