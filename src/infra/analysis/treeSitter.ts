import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as WebTreeSitter from 'web-tree-sitter';
import type { Language, Node as SyntaxNode, Parser } from 'web-tree-sitter';

/**
 * web-tree-sitter and its WASM grammars, loaded on first need only: a workspace with no Python or
 * Go file never evaluates them. The `.wasm` files ship beside the analysis bundle (esbuild.mjs
 * copies them to dist/); from sources (tests, the CLI under tsx) they are found in node_modules.
 */
export type TreeSitterLanguage = 'python' | 'go';

const WASM: Readonly<Record<TreeSitterLanguage, { pkg: string; file: string }>> = {
  python: { pkg: 'tree-sitter-python', file: 'tree-sitter-python.wasm' },
  go: { pkg: 'tree-sitter-go', file: 'tree-sitter-go.wasm' },
};

export function languageOfFile(file: string): TreeSitterLanguage | undefined {
  if (file.endsWith('.py') || file.endsWith('.pyi')) return 'python';
  if (file.endsWith('.go')) return 'go';
  return undefined;
}

function locate(pkg: string, file: string): string {
  const beside = path.join(__dirname, file);
  if (existsSync(beside)) return beside;
  return require.resolve(`${pkg}/${file}`);
}

type TreeSitterModule = typeof WebTreeSitter;
let runtime: Promise<TreeSitterModule> | undefined;
const loading = new Map<TreeSitterLanguage, Promise<Parser>>();
const ready = new Map<TreeSitterLanguage, Parser>();
let loadMs = 0;

async function loadRuntime(): Promise<TreeSitterModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('web-tree-sitter') as TreeSitterModule;
  await mod.Parser.init({ locateFile: (name: string) => locate('web-tree-sitter', name) });
  return mod;
}

/** Loads the grammar (and the runtime on first call); resolves once `parserFor` can parse it. */
export function loadLanguage(language: TreeSitterLanguage): Promise<Parser> {
  let pending = loading.get(language);
  if (!pending) {
    pending = (async () => {
      const t = performance.now();
      runtime ??= loadRuntime();
      const mod = await runtime;
      const lang: Language = await mod.Language.load(locate(WASM[language].pkg, WASM[language].file));
      const parser = new mod.Parser();
      parser.setLanguage(lang);
      ready.set(language, parser);
      loadMs += performance.now() - t;
      return parser;
    })();
    loading.set(language, pending);
  }
  return pending;
}

/** The parser for a loaded grammar, or undefined when `loadLanguage` has not finished. */
export function parserFor(language: TreeSitterLanguage): Parser | undefined {
  return ready.get(language);
}

/** Which grammars this process has loaded, and the time spent loading them. */
export function treeSitterLoad(): { readonly languages: readonly TreeSitterLanguage[]; readonly ms: number } {
  return { languages: [...ready.keys()], ms: loadMs };
}

/** Parses `text`, hands the root to `visit`, and frees the tree (WASM memory is not garbage-collected). */
export function withTree<T>(language: TreeSitterLanguage, text: string, visit: (root: SyntaxNode) => T): T | undefined {
  const parser = parserFor(language);
  if (!parser) return undefined;
  const tree = parser.parse(text);
  if (!tree) return undefined;
  try {
    return visit(tree.rootNode);
  } finally {
    tree.delete();
  }
}

export type { SyntaxNode };
