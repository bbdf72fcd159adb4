// Gate on production advisories: `npm audit --omit=dev --audit-level=high`. A finding fails the run;
// the audit service being unreachable is reported loudly but does not, since it says nothing about
// our dependencies (the registry mirror a machine reaches may not serve the audit endpoint).
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Decides from `npm audit --json` output: { exitCode, lines }. Pure, so a test can feed it reports. */
export function judgeAudit(stdout) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    return { exitCode: 0, lines: ['audit: WARNING — npm audit printed no report; advisories were NOT checked this run.'] };
  }
  if (report.error || report.message) {
    const why = report.message || report.error?.summary || report.error?.code || 'audit endpoint error';
    return { exitCode: 0, lines: [`audit: WARNING — the audit service could not be used (${why}); advisories were NOT checked this run.`] };
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  const summary = ['critical', 'high', 'moderate', 'low', 'info'].map((level) => `${counts[level] ?? 0} ${level}`).join(', ');
  const lines = [`audit: production dependencies — ${summary}`];
  const blocking = Object.entries(report.vulnerabilities ?? {}).filter(([, v]) => v.severity === 'high' || v.severity === 'critical');
  if (blocking.length === 0 && (counts.critical ?? 0) + (counts.high ?? 0) === 0) return { exitCode: 0, lines };
  for (const [name, v] of blocking) lines.push(`  ${v.severity}: ${name} ${v.range ?? ''}`.trimEnd());
  lines.push('audit: FAILED — high or critical advisories in production dependencies; update or replace them.');
  return { exitCode: 1, lines };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const run = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], { encoding: 'utf8', timeout: 120_000 });
  const { exitCode, lines } = judgeAudit(run.stdout || '');
  for (const line of lines) (exitCode ? console.error : console.log)(line);
  process.exit(exitCode);
}
