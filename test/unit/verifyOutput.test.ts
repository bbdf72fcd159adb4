import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicy, violationsFromOutput } from '../../src/core/verify/sandbox';
import { countFailedTests, HeadTailBuffer, trimOutput } from '../../src/core/verify/testOutput';

describe('countFailedTests', () => {
  it('reads node:test TAP and spec summaries', () => {
    assert.equal(countFailedTests('1..3\n# tests 3\n# pass 1\n# fail 2\n# cancelled 0\n'), 2);
    assert.equal(countFailedTests('ℹ tests 7\nℹ pass 7\nℹ fail 0\n'), 0);
  });

  it('reads jest and vitest summaries, colours included', () => {
    assert.equal(countFailedTests('Test Suites: 1 failed, 1 total\nTests:       3 failed, 5 passed, 8 total\n'), 3);
    assert.equal(countFailedTests(' \u001b[2mTests\u001b[22m  \u001b[1m\u001b[31m2 failed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m4 passed (6)\n'), 2);
    assert.equal(countFailedTests(' Tests  1 failed | 4 passed (5)\n'), 1);
  });

  it('reads mocha and pytest summaries', () => {
    assert.equal(countFailedTests('  4 passing (12ms)\n  2 failing\n'), 2);
    assert.equal(countFailedTests('==================== 1 failed, 3 passed in 0.12s ====================\n'), 1);
    assert.equal(countFailedTests('=========================== 2 failed in 0.03s ============================\n'), 2);
  });

  it('sums cargo results over its test binaries', () => {
    const out = 'test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured\n\ntest result: FAILED. 0 passed; 1 failed; 0 ignored\n';
    assert.equal(countFailedTests(out), 3);
  });

  it('counts go test failures, and zero when every package is ok', () => {
    assert.equal(countFailedTests('--- FAIL: TestAdd (0.00s)\n    x_test.go:9: want 5\n--- FAIL: TestMul (0.00s)\nFAIL\nFAIL\texample.com/x\t0.01s\n'), 2);
    assert.equal(countFailedTests('ok  \texample.com/x\t0.01s\n'), 0);
  });

  it('says nothing when no known runner printed a summary (a build, a type check)', () => {
    assert.equal(countFailedTests("src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n"), undefined);
  });
});

describe('output trimming', () => {
  it('keeps head and tail with a marker saying how much was dropped', () => {
    const text = `HEAD${'x'.repeat(10_000)}TAIL`;
    const trimmed = trimOutput(text, 1000);
    assert.ok(trimmed.startsWith('HEAD'));
    assert.ok(trimmed.endsWith('TAIL'));
    assert.match(trimmed, /\[… 9008 bytes trimmed …\]/);
    assert.equal(trimOutput('short', 1000), 'short');
  });

  it('bounds streamed output the same way, whatever the chunking', () => {
    const buffer = new HeadTailBuffer(100);
    buffer.push(Buffer.from('START-'));
    for (let i = 0; i < 1000; i++) buffer.push(Buffer.from(`line ${i}\n`));
    buffer.push(Buffer.from('-END'));
    const text = buffer.text();
    assert.ok(text.startsWith('START-'));
    assert.ok(text.endsWith('-END'));
    assert.match(text, /bytes trimmed/);
    assert.ok(text.length < 160);
  });
});

describe('violationsFromOutput', () => {
  const policy = defaultPolicy({ scratchDir: '/tmp/s/work', tmpDir: '/tmp/s/tmp', home: '/home/u', secretFiles: ['/ws/.env'] });

  it('reports refused writes, with the path the tool printed', () => {
    const out = "/usr/bin/bash: line 1: /home/u/evil.txt: Read-only file system\nError: EROFS: read-only file system, open '/etc/x'\n";
    assert.deepEqual(violationsFromOutput(out, policy, '/tmp/s/work'), ['write_denied /home/u/evil.txt', 'write_denied /etc/x']);
  });

  it('reports reads of protected paths only, relative ones resolved against the command folder', () => {
    const out = 'cat: /home/u/.ssh/id_rsa: No such file or directory\ncat: ../../../ws/.env: Permission denied\ncat: missing.txt: No such file or directory\n';
    assert.deepEqual(violationsFromOutput(out, policy, '/tmp/s/work'), ['read_denied /home/u/.ssh/id_rsa', 'read_denied /ws/.env']);
  });

  it("reports the proxy's refusals with the host", () => {
    const out = 'curl: (56) CONNECT tunnel failed, response 403\n* CONNECT tunnel failed, response 403 for https://evil.example.com/x\n';
    assert.deepEqual(violationsFromOutput(out, policy, '/'), ['network_denied evil.example.com']);
  });
});
