import type { UsageRecord } from '../usage/usageLedger';
import type { AccountBoard, SharedReservation } from './accountBoard';
import type { Admission } from './governorTypes';

/** The record as the account's meter reads it: which holder (window, CLI, teammate) spent it. */
export function stampRecord(board: AccountBoard | undefined, record: UsageRecord): UsageRecord {
  if (!board) return record;
  return {
    ...record, holder: board.owner,
    ...(board.label ? { origin: board.label } : {}), ...(board.originKind ? { originKind: board.originKind } : {}), ...(board.member ? { member: board.member } : {}),
  };
}

/** An admission as the others see it on the board: its room, its lease and who holds it. */
export function reservationOf(board: AccountBoard, admission: Admission, now: number): SharedReservation & { readonly inputTokens: number } {
  return {
    id: `${board.owner}:${admission.id}`, owner: board.owner, model: admission.model,
    units: admission.reservedUnits, expiresAt: now + board.lease, inputTokens: admission.inputTokens,
    ...(board.label ? { label: board.label } : {}), ...(board.member ? { member: board.member } : {}),
    ...(board.originKind ? { originKind: board.originKind } : {}),
  };
}
