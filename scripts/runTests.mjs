// Runs node's built-in test runner over every *.test.ts under the given folders (Node 20 has no
// glob support in `node --test`), with tsx compiling TypeScript on the fly.
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const args = process.argv.slice(2);
const dirs = args.filter((a) => !a.startsWith('--'));
const passthrough = args.filter((a) => a.startsWith('--'));
const files = dirs.flatMap((d) => (statSync(d).isDirectory() ? collect(d, []) : [d])).sort();
if (files.length === 0) {
  console.error(`no test files under ${dirs.join(', ')}`);
  process.exit(1);
}
// No test touches the developer's own account (~/.local/share/helios): a test that names no
// account directory meters a scratch one (tests that spawn the CLI give each run its own).
const env = { ...process.env, HELIOS_ACCOUNT_DIR: process.env.HELIOS_TEST_ACCOUNT_DIR ?? path.join(os.tmpdir(), `helios-test-account-${process.pid}`) };
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...passthrough, ...files],
  { stdio: 'inherit', env },
);
process.exit(result.status ?? 1);
