/**
 * Where Anthropic API calls go, and with them the user's API key in the `x-api-key` header. The
 * base URL comes only from the user's own settings (a workspace value is ignored before this is
 * called); a non-official endpoint is always shown to the user (the status bar tooltip).
 */
export const OFFICIAL_ANTHROPIC_ORIGIN = 'https://api.anthropic.com';

export interface AnthropicEndpoint {
  /** For the SDK: unset means the official endpoint. */
  readonly baseURL?: string;
  readonly official: boolean;
  /** What the user is shown: the origin and path, never credentials embedded in the URL. */
  readonly display: string;
}

export function anthropicEndpoint(baseUrl: string): AnthropicEndpoint {
  const trimmed = baseUrl.trim();
  if (trimmed === '') return { official: true, display: OFFICIAL_ANTHROPIC_ORIGIN };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    // parseSettings already refuses a malformed URL; this keeps the function total.
    return { official: true, display: OFFICIAL_ANTHROPIC_ORIGIN };
  }
  const display = `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  return { baseURL: trimmed, official: url.origin === OFFICIAL_ANTHROPIC_ORIGIN, display };
}

/** The SDK's `baseURL` option for the (already user-only) settings: absent for the official endpoint. */
export function anthropicClientEndpoint(settings: { readonly anthropicBaseUrl: string }): { baseURL?: string } {
  const { baseURL } = anthropicEndpoint(settings.anthropicBaseUrl);
  return baseURL ? { baseURL } : {};
}
