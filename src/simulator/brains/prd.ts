/**
 * Splits a PRD (markdown, any language) into requirement sections for the Architect brain.
 * Sections are `##` headings; without any, `#` or `###` headings (two or more), then top-level
 * bullet items, then paragraphs. Lines inside fenced code blocks are never structure.
 */

export interface PrdSection {
  readonly title: string;
  readonly body: string;
}

const PRD_TAG = /<prd(?:\s[^>]*)?>([\s\S]*?)<\/prd>/;
const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const BULLET = /^(?:[-*+]|\d+[.)])\s+(.+)$/;
const FENCE = /^\s*(```|~~~)/;

/** The PRD text: the last `<prd …>…</prd>` among the user texts (newest first), else the newest text. */
export function extractPrd(userTextsNewestFirst: readonly string[]): string {
  for (const text of userTextsNewestFirst) {
    const match = PRD_TAG.exec(text);
    if (match) return match[1]!.trim();
  }
  return (userTextsNewestFirst[0] ?? '').trim();
}

export function cleanTitle(raw: string): string {
  const title = raw
    .replace(/\{#[^}]*\}\s*$/, '')
    .replace(/(\*\*|__|~~)/g, '')
    .replace(/^[*_]+|[*_]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return title;
}

interface Line {
  readonly text: string;
  readonly inFence: boolean;
}

function markLines(text: string): Line[] {
  let inFence = false;
  return text.split(/\r?\n/).map((line) => {
    if (FENCE.test(line)) {
      inFence = !inFence;
      return { text: line, inFence: true };
    }
    return { text: line, inFence };
  });
}

function headingLevel(line: Line): number {
  if (line.inFence) return 0;
  const match = HEADING.exec(line.text);
  return match ? match[1]!.length : 0;
}

function byHeadings(lines: readonly Line[], level: number): PrdSection[] {
  const sections: PrdSection[] = [];
  let current: { title: string; body: string[] } | undefined;
  for (const line of lines) {
    const lvl = headingLevel(line);
    if (lvl > 0 && lvl <= level) {
      if (current) sections.push({ title: current.title, body: current.body.join('\n').trim() });
      current = lvl === level ? { title: cleanTitle(HEADING.exec(line.text)![2]!), body: [] } : undefined;
      continue;
    }
    current?.body.push(line.text);
  }
  if (current) sections.push({ title: current.title, body: current.body.join('\n').trim() });
  return sections.filter((s) => s.title.length > 0);
}

function byBullets(lines: readonly Line[]): PrdSection[] {
  const sections: { title: string; body: string[] }[] = [];
  let open = false;
  for (const line of lines) {
    const match = line.inFence ? null : BULLET.exec(line.text);
    if (match) {
      sections.push({ title: cleanTitle(match[1]!), body: [] });
      open = true;
    } else if (open && (/^\s+\S/.test(line.text) || line.inFence)) {
      sections[sections.length - 1]!.body.push(line.text.trim());
    } else if (line.text.trim().length > 0) {
      open = false;
    }
  }
  return sections.map((s) => ({ title: s.title, body: s.body.join('\n').trim() })).filter((s) => s.title.length > 0);
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?。](\s|$)/);
  const sentence = end > 0 ? flat.slice(0, end) : flat;
  if (sentence.length <= 80) return sentence;
  const cut = sentence.slice(0, 80);
  const space = cut.lastIndexOf(' ');
  return (space > 40 ? cut.slice(0, space) : cut).trim();
}

function byParagraphs(lines: readonly Line[]): PrdSection[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.text.trim().length === 0 && !line.inFence) {
      if (current.length > 0) paragraphs.push(current.join('\n'));
      current = [];
    } else if (headingLevel(line) === 0) {
      current.push(line.text);
    }
  }
  if (current.length > 0) paragraphs.push(current.join('\n'));
  return paragraphs.map((p) => ({ title: cleanTitle(firstSentence(p)), body: p.trim() })).filter((s) => s.title.length > 0);
}

export function splitSections(prd: string): PrdSection[] {
  const lines = markLines(prd);
  const count = (level: number): number => lines.filter((l) => headingLevel(l) === level).length;
  if (count(2) > 0) return byHeadings(lines, 2);
  for (const level of [1, 3]) if (count(level) >= 2) return byHeadings(lines, level);
  const bullets = byBullets(lines);
  if (bullets.length >= 2) return bullets;
  const paragraphs = byParagraphs(lines);
  if (paragraphs.length > 0) return paragraphs;
  for (const level of [1, 3, 4, 5, 6]) if (count(level) > 0) return byHeadings(lines, level);
  return [];
}
