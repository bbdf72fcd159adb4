import { createHash } from 'node:crypto';
import { HeliosError } from '../errors/heliosError';

export interface PrdDocument {
  readonly path: string;
  readonly text: string;
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Turns a PRD file's bytes into text, refusing what is not a text document: invalid UTF-8 or NUL
 * bytes (a binary file, a PDF, a zip) are `prd_not_text`; nothing but white space is `prd_empty`.
 * A UTF-8 byte-order mark is dropped. Size against the model's context is checked by the
 * Architect, which knows the model.
 */
export function readPrd(path: string, bytes: Uint8Array): PrdDocument {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new HeliosError('prd_not_text', `${path} is not valid UTF-8 text`, { path }, { cause });
  }
  if (text.includes('\0')) throw new HeliosError('prd_not_text', `${path} contains NUL bytes`, { path });
  if (text.trim().length === 0) throw new HeliosError('prd_empty', `${path} is empty`, { path });
  return { path, text, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
}
