/**
 * Which verify command a workspace has, from the files at its root. The order is the order of
 * how much a command tells: tests first (they build too), then a build, then a type check; and
 * JavaScript before the others because a polyglot repo's `package.json` usually drives the rest.
 *
 *  1. `npm test`        package.json with a `test` script that is not npm's placeholder
 *  2. `npm run build`   package.json with a `build` script
 *  3. `npx --no tsc --noEmit`  tsconfig.json (`--no`: never download a compiler in the sandbox)
 *  4. `pytest`          pytest.ini, conftest.py, or pyproject.toml / setup.cfg / tox.ini naming pytest
 *  5. `cargo test`      Cargo.toml
 *  6. `go test ./...`   go.mod
 */

/** Reads files at the workspace root; undefined when a file is missing or unreadable. */
export interface ProjectReader {
  readText(relativePath: string): Promise<string | undefined>;
}

export type DetectedCommandKind = 'npm_test' | 'npm_build' | 'tsc' | 'pytest' | 'cargo' | 'go';

export interface DetectedCommand {
  readonly kind: DetectedCommandKind;
  readonly command: string;
}

/** What `npm init` writes: running it would always fail, so it is not a test script. */
const NPM_PLACEHOLDER = /no test specified/;

export async function detectVerifyCommand(reader: ProjectReader): Promise<DetectedCommand | undefined> {
  const scripts = parseScripts(await reader.readText('package.json'));
  const test = scripts?.['test'];
  if (test !== undefined && test.trim() !== '' && !NPM_PLACEHOLDER.test(test)) return { kind: 'npm_test', command: 'npm test' };
  const build = scripts?.['build'];
  if (build !== undefined && build.trim() !== '') return { kind: 'npm_build', command: 'npm run build' };
  if ((await reader.readText('tsconfig.json')) !== undefined) return { kind: 'tsc', command: 'npx --no tsc --noEmit' };
  if (await hasPytest(reader)) return { kind: 'pytest', command: 'pytest' };
  if ((await reader.readText('Cargo.toml')) !== undefined) return { kind: 'cargo', command: 'cargo test' };
  if ((await reader.readText('go.mod')) !== undefined) return { kind: 'go', command: 'go test ./...' };
  return undefined;
}

function parseScripts(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== 'object' || json === null) return undefined;
    const scripts = (json as { scripts?: unknown }).scripts;
    if (typeof scripts !== 'object' || scripts === null) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(scripts)) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    // A broken package.json is the project's problem; detection just finds nothing in it.
    return undefined;
  }
}

async function hasPytest(reader: ProjectReader): Promise<boolean> {
  if ((await reader.readText('pytest.ini')) !== undefined) return true;
  if ((await reader.readText('conftest.py')) !== undefined) return true;
  for (const file of ['pyproject.toml', 'setup.cfg', 'tox.ini']) {
    const text = await reader.readText(file);
    if (text !== undefined && /pytest/.test(text)) return true;
  }
  return false;
}
