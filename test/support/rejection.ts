import assert from 'node:assert/strict';
import { HeliosError } from '../../src/core/errors/heliosError';

/** Awaits a promise that must reject with a HeliosError, and returns that error. */
export async function rejection(p: Promise<unknown>): Promise<HeliosError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof HeliosError, `expected HeliosError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}
