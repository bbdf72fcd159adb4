import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiError } from './wire';

/** Small node:http helpers: bounded body reading, JSON and error responses, disconnect-safe writes. */

export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export type BodyResult = { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly bytes: number };

/** Reads the whole body; past `limit` it keeps draining (so the client sees our 413, not EPIPE) but stores nothing. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(bytes <= limit ? { ok: true, body: Buffer.concat(chunks) } : { ok: false, bytes }));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
  });
  res.end(payload);
}

export function errorBody(error: ApiError, requestId: string): unknown {
  return { type: 'error', error: { type: error.type, message: error.message }, request_id: requestId };
}

export function sendError(res: ServerResponse, error: ApiError, requestId: string, headers: Readonly<Record<string, string>> = {}): void {
  sendJson(res, error.status, errorBody(error, requestId), { ...headers, ...error.headers, 'request-id': requestId });
}

/** Writes with backpressure; resolves false when the client went away instead of waiting forever for 'drain'. */
export function write(res: ServerResponse, text: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (res.write(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onDrain = (): void => finish(true);
    const onClose = (): void => finish(false);
    function finish(ok: boolean): void {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    }
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
