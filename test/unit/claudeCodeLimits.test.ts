import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isClaudeCodeLoginNotice, parseClaudeCodeLimitNotice, zonedTimeToInstant } from '../../src/core/llm/claudeCodeLimits';

const at = (iso: string): Date => new Date(iso);

describe('parseClaudeCodeLimitNotice', () => {
  it('reads a session limit at 12:50am in Los Angeles (PST, UTC-8) later the same day', () => {
    // 2026-11-24 00:10 in LA = 08:10Z; the reset 00:50 LA = 08:50Z.
    const notice = parseClaudeCodeLimitNotice("You've hit your session limit · resets 12:50am (America/Los_Angeles)", at('2026-11-24T08:10:00Z'));
    assert.equal(notice?.kind, 'session');
    assert.equal(notice?.timeZone, 'America/Los_Angeles');
    assert.equal(notice?.resetsAt?.toISOString(), '2026-11-24T08:50:00.000Z');
  });

  it('moves a time of day already past in that zone to the next day', () => {
    // 09:00 LA = 17:00Z; 12:50am has passed today → tomorrow 00:50 PST = 2026-11-25T08:50Z.
    const notice = parseClaudeCodeLimitNotice("You've hit your session limit · resets 12:50am (America/Los_Angeles)", at('2026-11-24T17:00:00Z'));
    assert.equal(notice?.resetsAt?.toISOString(), '2026-11-25T08:50:00.000Z');
  });

  it('reads a weekly limit at 10am in Seoul (UTC+9, no DST), pm hours, and 12pm as noon', () => {
    const weekly = parseClaudeCodeLimitNotice('Weekly limit reached · resets 10am (Asia/Seoul)', at('2026-11-24T00:00:00Z'));
    assert.equal(weekly?.kind, 'weekly');
    // 00:00Z is 09:00 in Seoul → 10:00 KST = 01:00Z the same day.
    assert.equal(weekly?.resetsAt?.toISOString(), '2026-11-24T01:00:00.000Z');
    const pm = parseClaudeCodeLimitNotice("You've hit your session limit · resets 3:30pm (Asia/Seoul)", at('2026-11-24T00:00:00Z'));
    assert.equal(pm?.resetsAt?.toISOString(), '2026-11-24T06:30:00.000Z');
    const noon = parseClaudeCodeLimitNotice("You've hit your session limit · resets 12pm (UTC)", at('2026-11-24T00:00:00Z'));
    assert.equal(noon?.resetsAt?.toISOString(), '2026-11-24T12:00:00.000Z');
  });

  it('uses the zone across a date line: the reset is tomorrow in Seoul though still today in UTC', () => {
    // 2026-11-24T16:00Z is 01:00 on the 25th in Seoul; 10am there = 2026-11-25T01:00Z.
    const notice = parseClaudeCodeLimitNotice('Weekly limit reached · resets 10am (Asia/Seoul)', at('2026-11-24T16:00:00Z'));
    assert.equal(notice?.resetsAt?.toISOString(), '2026-11-25T01:00:00.000Z');
  });

  it('honours daylight saving time (summer in Los Angeles is UTC-7)', () => {
    const notice = parseClaudeCodeLimitNotice("You've hit your session limit · resets 1am (America/Los_Angeles)", at('2026-07-01T06:00:00Z'));
    assert.equal(notice?.resetsAt?.toISOString(), '2026-07-01T08:00:00.000Z');
  });

  it('reads an explicit date for weekly resets', () => {
    const notice = parseClaudeCodeLimitNotice('Weekly limit reached · resets Nov 28, 10am (Asia/Seoul)', at('2026-11-24T00:00:00Z'));
    assert.equal(notice?.resetsAt?.toISOString(), '2026-11-28T01:00:00.000Z');
    const opus = parseClaudeCodeLimitNotice('Opus weekly limit reached · resets Nov 28 at 9:15pm (UTC)', at('2026-11-24T00:00:00Z'));
    assert.equal(opus?.kind, 'opus_weekly');
    assert.equal(opus?.resetsAt?.toISOString(), '2026-11-28T21:15:00.000Z');
  });

  it('reads the old epoch form (seconds)', () => {
    const notice = parseClaudeCodeLimitNotice('Claude AI usage limit reached|1764000000', at('2026-11-24T00:00:00Z'));
    assert.equal(notice?.kind, 'usage');
    assert.equal(notice?.resetsAt?.toISOString(), new Date(1_764_000_000_000).toISOString());
  });

  it('falls back to the local zone when none is written, and gives no instant for an unknown zone', () => {
    const local = parseClaudeCodeLimitNotice("You've hit your session limit · resets 5am", at('2026-11-24T00:00:00Z'), 'Asia/Seoul');
    assert.equal(local?.resetsAt?.toISOString(), '2026-11-24T20:00:00.000Z');
    const unknown = parseClaudeCodeLimitNotice("You've hit your session limit · resets 5am (Mars/Olympus)", at('2026-11-24T00:00:00Z'));
    assert.equal(unknown?.kind, 'session');
    assert.equal(unknown?.resetsAt, undefined);
  });

  it('ignores text that is not a limit notice', () => {
    assert.equal(parseClaudeCodeLimitNotice('API Error: 529 Overloaded', at('2026-11-24T00:00:00Z')), undefined);
    assert.equal(parseClaudeCodeLimitNotice('Not logged in · Please run /login', at('2026-11-24T00:00:00Z')), undefined);
  });
});

describe('zonedTimeToInstant', () => {
  it('resolves a spring-forward gap forward and a fall-back overlap to the first occurrence', () => {
    // 2026-03-08 02:30 does not exist in Los Angeles → 03:30 PDT = 10:30Z.
    assert.equal(zonedTimeToInstant(2026, 2, 8, 2, 30, 'America/Los_Angeles').toISOString(), '2026-03-08T10:30:00.000Z');
    // 2026-11-01 01:30 happens twice → the PDT one (08:30Z).
    assert.equal(zonedTimeToInstant(2026, 10, 1, 1, 30, 'America/Los_Angeles').toISOString(), '2026-11-01T08:30:00.000Z');
  });
});

describe('isClaudeCodeLoginNotice', () => {
  it('recognises the not-logged-in result', () => {
    assert.equal(isClaudeCodeLoginNotice('Not logged in · Please run /login'), true);
    assert.equal(isClaudeCodeLoginNotice('API Error: 529 Overloaded'), false);
  });
});
