import { z } from 'zod';

/**
 * The user's consent to run the verify command without a sandbox, for one folder. It replaces the
 * old `helios.verify.allowUnsandboxed` setting, which lived exactly where a cloned repository
 * writes (`.vscode/settings.json`). Helios stores it in its own per-workspace state, given through
 * a modal that names the folder and the command; it holds only for that folder and that command —
 * a repository that changes its verify command afterwards does not inherit the consent.
 */
export const UnsandboxedConsentSchema = z.object({
  /** The folder's URI, as VS Code names it. */
  folder: z.string().min(1),
  /** `helios.verify.command` when the consent was given ('' = detected from the project). */
  verifyCommand: z.string(),
  grantedAt: z.string(),
});

export type UnsandboxedConsent = z.infer<typeof UnsandboxedConsentSchema>;

/** A stored value (or garbage) to a consent, undefined when there is none. */
export function readConsent(stored: unknown): UnsandboxedConsent | undefined {
  const parsed = UnsandboxedConsentSchema.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Whether the stored consent allows unsandboxed verification now: same folder, same verify command,
 * and a trusted workspace (Restricted Mode runs nothing at all).
 */
export function consentApplies(consent: UnsandboxedConsent | undefined, now: { folder: string | undefined; verifyCommand: string; trusted: boolean }): boolean {
  return consent !== undefined && now.trusted && now.folder === consent.folder && now.verifyCommand.trim() === consent.verifyCommand.trim();
}
