import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkKeyRotation } from '../../src/core/security/keyRotation';

const now = new Date('2026-11-24T12:00:00Z');

describe('checkKeyRotation', () => {
  it('is due once the key is as old as the setting says', () => {
    assert.deepEqual(checkKeyRotation({ setOn: '2026-10-25', remindedFor: undefined, now, maxAgeDays: 30 }), { due: true, ageDays: 30 });
    assert.deepEqual(checkKeyRotation({ setOn: '2026-10-26', remindedFor: undefined, now, maxAgeDays: 30 }), { due: false, ageDays: 29 });
  });
  it('reminds once per key: not again for the same set date, again after a new key ages', () => {
    assert.equal(checkKeyRotation({ setOn: '2026-09-01', remindedFor: '2026-09-01', now, maxAgeDays: 30 }).due, false);
    assert.equal(checkKeyRotation({ setOn: '2026-10-01', remindedFor: '2026-09-01', now, maxAgeDays: 30 }).due, true);
  });
  it('is off with 0 days, and never due for a key without a date (from the environment)', () => {
    assert.equal(checkKeyRotation({ setOn: '2020-01-01', remindedFor: undefined, now, maxAgeDays: 0 }).due, false);
    assert.equal(checkKeyRotation({ setOn: undefined, remindedFor: undefined, now, maxAgeDays: 30 }).due, false);
    assert.equal(checkKeyRotation({ setOn: 'garbage', remindedFor: undefined, now, maxAgeDays: 30 }).due, false);
  });
});
