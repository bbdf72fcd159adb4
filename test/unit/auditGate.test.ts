import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error -- a plain .mjs script without type declarations
import { judgeAudit } from '../../scripts/audit.mjs';

type Judge = (stdout: string) => { exitCode: number; lines: string[] };
const judge = judgeAudit as Judge;

describe('advisory gate (scripts/audit.mjs)', () => {
  it('fails on a high or critical advisory in production dependencies', () => {
    const report = {
      vulnerabilities: { 'left-pad': { severity: 'high', range: '<1.3.1' }, chalk: { severity: 'low', range: '*' } },
      metadata: { vulnerabilities: { critical: 0, high: 1, moderate: 0, low: 1, info: 0 } },
    };
    const verdict = judge(JSON.stringify(report));
    assert.equal(verdict.exitCode, 1);
    assert.match(verdict.lines.join('\n'), /high: left-pad <1\.3\.1/);
    assert.doesNotMatch(verdict.lines.join('\n'), /chalk/);
  });

  it('passes with only moderate and low findings', () => {
    const verdict = judge(JSON.stringify({ vulnerabilities: {}, metadata: { vulnerabilities: { critical: 0, high: 0, moderate: 2, low: 3 } } }));
    assert.equal(verdict.exitCode, 0);
    assert.match(verdict.lines[0]!, /0 critical, 0 high, 2 moderate, 3 low/);
  });

  it('warns but passes when the audit service cannot be reached', () => {
    const verdict = judge(JSON.stringify({ message: '405 Method Not Allowed', error: { summary: '' } }));
    assert.equal(verdict.exitCode, 0);
    assert.match(verdict.lines[0]!, /NOT checked/);
    assert.equal(judge('').exitCode, 0);
  });
});
