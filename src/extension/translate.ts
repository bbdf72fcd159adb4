/**
 * The translator pure presentation code takes, so node tests it without `vscode`: the host passes
 * `vscode.l10n.t`, tests pass `englishTranslate` or a fake bundle.
 */
export type Translate = (message: string, ...args: Array<string | number>) => string;

/** Fills `{0}`, `{1}`… without translating: the English the messages are written in. */
export const englishTranslate: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (match, i: string) => (args[Number(i)] === undefined ? match : String(args[Number(i)])));
