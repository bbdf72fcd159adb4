/**
 * What the e2e harness knows about the processes it starts: Debian's chromium (launched through
 * playwright-core), the resident memory of a process tree (read from /proc), and the extension
 * hosts' Helios logs.
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const chromiumPath = process.env.HELIOS_E2E_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<{ browser: Browser; page: Page }> {
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} not found: install Debian's chromium (apt-get install -y chromium)`);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return { browser, page: await openWindow(browser) };
}

/**
 * A page in a browser context of its own: a second window of the workbench must not share the
 * first one's service worker, which serves both windows' webviews. (Seen here: with one context, a
 * webview in the second page now and then never got its content.)
 */
export async function openWindow(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  return context.newPage();
}

/** Resident memory (MiB) of a process and all its descendants, read from /proc. */
export function treeRssMiB(rootPid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      rss.set(Number(name), Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return Math.round(total / 1024);
}

/** playwright-core does not expose the pid of a launched browser: find the chromium whose parent
 * is this process (the test runner runs one test file per process). */
export function chromiumPid(): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      if (ppid === process.pid && /^Name:\s+chrom/m.test(status)) return Number(name);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/**
 * Copies the Helios log channel's files out of VS Code's user data before it is removed, so a
 * failure can be read later: one per window (each window's extension host writes its own).
 */
export function keepHeliosLogs(userDataDir: string, target: (index: number) => string): void {
  const found: string[] = [];
  const find = (dir: string): void => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, name.name);
      if (name.isDirectory()) find(full);
      else if (name.name === 'Helios.log') found.push(full);
    }
  };
  try {
    find(path.join(userDataDir, 'logs'));
    found.sort().forEach((file, i) => cpSync(file, target(i)));
  } catch {
    // best effort: the screenshot is the primary evidence
  }
}
