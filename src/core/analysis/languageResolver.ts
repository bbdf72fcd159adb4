import type { Resolution } from './graphTypes';
import { resolvePythonImport } from './pythonResolver';

/**
 * Resolution for a language other than TypeScript/JavaScript, chosen by the importing file.
 * `ModuleResolver` hands a file it `handles` to it, uncached: these answers are a few set lookups.
 */
export interface LanguageResolver {
  readonly language: string;
  handles(fromFile: string): boolean;
  resolve(specifier: string, fromFile: string, hasFile: (file: string) => boolean): Resolution;
}

export const pythonResolver: LanguageResolver = {
  language: 'python',
  handles: (fromFile) => fromFile.endsWith('.py') || fromFile.endsWith('.pyi'),
  resolve: (specifier, fromFile, hasFile) => resolvePythonImport(specifier, fromFile, hasFile),
};

/** Every language but Go, whose resolver needs the workspace's package index (`createGoResolver`). */
export const LANGUAGE_RESOLVERS: readonly LanguageResolver[] = [pythonResolver];
