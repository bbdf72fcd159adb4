/**
 * Text → vector for the semantic cache (L3). The interface leaves room for better embedders (a
 * local model file the user points to, an embeddings API); the default needs no download.
 */
export interface Embedder {
  /** Stored with every entry: vectors of different embedders are never compared. */
  readonly id: string;
  readonly dimensions: number;
  embed(text: string): Promise<number[]>;
}

export const HASHED_DIMENSIONS = 256;

/**
 * The local default: feature hashing of lower-cased word unigrams and bigrams plus character
 * trigrams of each word, signed to cancel collisions, L2-normalised. What it is good at: the same
 * request with different whitespace, case, punctuation, sentence order or a few extra words scores
 * ≥ 0.9. What it is bad at: it knows no synonyms (a real paraphrase can score 0.5) and no meaning
 * (“sort ascending” vs “sort descending” share most features and score high). That is why L3
 * never relies on similarity alone.
 */
export class HashedNgramEmbedder implements Embedder {
  readonly id: string;

  constructor(readonly dimensions = HASHED_DIMENSIONS) {
    this.id = `hashed-ngram-v1-${dimensions}`;
  }

  embed(text: string): Promise<number[]> {
    return Promise.resolve(this.embedSync(text));
  }

  embedSync(text: string): number[] {
    const v = new Float64Array(this.dimensions);
    const add = (feature: string, weight: number): void => {
      const h = fnv1a(feature);
      v[h % this.dimensions]! += (h & 0x8000_0000) !== 0 ? -weight : weight;
    };
    // Bigrams stay inside a clause and skip filler words, so reordering sentences or adding
    // “please … and” keeps them; unigrams and character trigrams carry the rest.
    for (const clause of text.toLowerCase().normalize('NFKC').split(/[.,;:!?\n]+/)) {
      const words = clause.match(/[\p{L}\p{N}_]+/gu) ?? [];
      const kept = words.filter((w) => !FILLER_WORDS.has(w));
      for (const w of words) {
        add(`w:${w}`, FILLER_WORDS.has(w) ? 0.25 : 1);
        const padded = `^${w}$`;
        for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.25);
      }
      for (let i = 0; i + 1 < kept.length; i++) add(`b:${kept[i]!} ${kept[i + 1]!}`, 1);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    // Rounded so the persisted index stays small; cosine changes by < 1e-4.
    return Array.from(v, (x) => (norm > 0 ? Math.round((x / norm) * 1e5) / 1e5 : 0));
  }
}

/** Words whose presence never changes what is asked. Negations are deliberately not here. */
export const FILLER_WORDS: ReadonlySet<string> = new Set(['a', 'an', 'the', 'please', 'kindly', 'just', 'also', 'now', 'then', 'so', 'and', 'thanks', 'thank', 'you', 'could', 'would', 'can']);

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
