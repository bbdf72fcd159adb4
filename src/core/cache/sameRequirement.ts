import { FILLER_WORDS } from './embedder';

/**
 * The L3 word guard: may two request texts be served the same answer although they are worded
 * differently? Only when they say the same thing in the same order. A text is cut into segments
 * at sentence and clause punctuation and at “and”; each segment is its sequence of content words
 * (filler such as “please” and “the” dropped). Two texts pass when they have the same segments —
 * in any order, since moving a whole sentence or a coordinated clause keeps the request, unless
 * either text uses an adverb of sequence (“then”, “first”, “finally”…), in which case the segments
 * must also come in the same order.
 *
 * What it refuses that a bag of words would pass: “sort by date, then by name” against “sort by
 * name, then by date”; “from staging to production” against “from production to staging”;
 * `getUser` against `GetUser` (identifiers keep their case; ordinary capitals do not count).
 */

/**
 * Adverbs that tie a clause to the one before it (“…, then by name”): where one appears, the order
 * of the clauses is part of the meaning. Prepositions such as “before” are not here — “before the
 * discount” carries its own object, so its clause can move.
 */
const SEQUENCE_WORDS: ReadonlySet<string> = new Set([
  'then', 'next', 'finally', 'lastly', 'afterwards', 'afterward', 'later', 'first', 'firstly', 'second', 'secondly', 'third', 'thirdly',
]);

/** Filler for this guard: the embedder's, less the words of sequence. */
const IGNORED: ReadonlySet<string> = new Set([...FILLER_WORDS].filter((w) => !SEQUENCE_WORDS.has(w)));

export function requirementSegments(text: string): string[][] {
  const segments: string[][] = [];
  for (const part of text.normalize('NFKC').split(/[.,;:!?\n\r()[\]]+/u)) {
    let current: string[] = [];
    for (const raw of part.match(/[\p{L}\p{N}_]+/gu) ?? []) {
      const word = foldCase(raw);
      if (word === 'and') {
        if (current.length > 0) segments.push(current);
        current = [];
      } else if (!IGNORED.has(word)) {
        current.push(word);
      }
    }
    if (current.length > 0) segments.push(current);
  }
  return segments;
}

export function sameRequirement(a: string, b: string): boolean {
  const x = requirementSegments(a);
  const y = requirementSegments(b);
  if (x.length !== y.length) return false;
  const keysX = x.map((s) => s.join(' '));
  const keysY = y.map((s) => s.join(' '));
  const ordered = [...x, ...y].some((s) => s.some((w) => SEQUENCE_WORDS.has(w)));
  if (ordered) return keysX.every((k, i) => k === keysY[i]);
  const sortedX = [...keysX].sort();
  const sortedY = [...keysY].sort();
  return sortedX.every((k, i) => k === sortedY[i]);
}

/**
 * Ordinary words compare without case (“Add” at a sentence start is “add”, “CSV” is “csv”);
 * identifiers with inner capitals (`getUser`, `userID`) keep it, since code tells them apart.
 */
function foldCase(word: string): string {
  const inner = word.slice(1);
  const identifier = /\p{Lu}/u.test(inner) && /\p{Ll}/u.test(word);
  return identifier ? word : word.toLowerCase();
}
