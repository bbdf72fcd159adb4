/** The host boundary shared by every panel: a message is used only after its zod schema accepts it. */
import type { z } from 'zod';

export type ParsedWebviewMessage<T> =
  | { readonly ok: true; readonly message: T }
  | { readonly ok: false; readonly reason: string };

/** Never throws; the reason names each offending field, for the log (never shown to users). */
export function parseWebviewMessage<S extends z.ZodType>(schema: S, raw: unknown): ParsedWebviewMessage<z.output<S>> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, message: result.data };
  const reason = result.error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason };
}
