import os from 'node:os';
import path from 'node:path';

/**
 * The one account directory of this OS user: every VS Code flavour (Code, Insiders, code-server,
 * forks) and `helios run --account-dir` meter the same Claude account through it (the ledger and
 * the account board). `HELIOS_ACCOUNT_DIR` overrides it. Follows each OS's convention for per-user
 * application data, as `env-paths` does (not used here: it is ESM-only, and the extension host and
 * the tests load CommonJS): `$XDG_DATA_HOME/helios` or `~/.local/share/helios` on Linux,
 * `~/Library/Application Support/helios` on macOS, `%LOCALAPPDATA%\helios\Data` on Windows.
 */
export function accountDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  const override = env.HELIOS_ACCOUNT_DIR;
  if (override && override.trim() !== '') return path.resolve(override);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'helios');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'helios', 'Data');
  const xdg = env.XDG_DATA_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'share'), 'helios');
}

/** Who this member is on a team's meters: the OS user at this machine. */
export function memberName(): string {
  let user = 'user';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (a container): the machine's name alone.
  }
  return `${user}@${os.hostname()}`;
}
