import { existsSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { ResolverOptions } from '../../core/analysis/moduleResolver';

const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];

function toRootRelative(root: string, absolute: string): string {
  const rel = path.relative(root, absolute).split(path.sep).join('/');
  return rel === '' ? '' : rel;
}

/**
 * The resolver options a workspace's `tsconfig.json` (or `jsconfig.json`) implies: `baseUrl` and
 * `paths`, following `extends`, made relative to the workspace root. The file list of the config
 * is not expanded (the graph lists files itself), so this stays cheap on large repositories.
 */
export function readResolverOptions(root: string, configFile?: string): ResolverOptions & { configFile?: string } {
  const file = configFile ?? CONFIG_NAMES.map((n) => path.join(root, n)).find((f) => existsSync(f));
  if (!file) return {};
  const read = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  if (read.error || !read.config) return { configFile: file };
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: () => [],
    fileExists: (f) => ts.sys.fileExists(f),
    readFile: (f) => ts.sys.readFile(f),
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
    ...(baseUrl !== undefined ? { baseUrl: toRootRelative(root, baseUrl) } : {}),
    ...(Object.keys(paths).length > 0 ? { paths } : {}),
  };
}
