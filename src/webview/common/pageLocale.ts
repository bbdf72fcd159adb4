/**
 * The page's UI language. The host writes `vscode.env.language` into `<html lang>`; each page
 * calls `setPageLocale` once at start-up, before the first render, and the formatters read it.
 * DOM-free, so node tests the formatters (which then run in English unless given a locale).
 */
let locale = 'en';

/** Ignores anything Intl does not accept, so a bad `lang` cannot break a page. */
export function setPageLocale(lang: string | undefined): void {
  if (!lang) return;
  try {
    locale = Intl.getCanonicalLocales(lang)[0] ?? 'en';
  } catch {
    locale = 'en';
  }
}

export function pageLocale(): string {
  return locale;
}
