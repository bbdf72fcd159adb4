/**
 * Keyboard shortcuts as the user's OS writes them: "⌘Z" on macOS, "Ctrl+Z" on Windows and Linux.
 * Pure: the platform is passed in (the host passes `process.platform`), so node tests both.
 */
export function shortcutLabel(key: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'darwin' ? `⌘${key}` : `Ctrl+${key}`;
}

/** The editor's Undo. */
export function undoShortcut(platform: NodeJS.Platform = process.platform): string {
  return shortcutLabel('Z', platform);
}
