import type { IncomingMessage, ServerResponse } from 'node:http';
import { findModel, MODELS } from '../shared/models';
import { parseFault } from './faults';
import type { FaultQueue } from './faults';
import { MAX_BODY_BYTES, readBody, sendError, sendJson } from './http';
import { handleCountTokens, handleMessages } from './messages';
import type { Exchange, Outcome, SimContext } from './messages';
import type { RequestLog } from './requestLog';
import { ApiError, randomId } from './wire';

/**
 * Routing. Model endpoints live under /v1 (query strings such as `?beta=true` are ignored):
 * messages, count_tokens, the model list and one model;
 * `/_sim/*` is the admin surface for out-of-process tests; `HEAD /` and `GET /` answer 200
 * because Claude Code probes the base URL before its first request.
 */

export interface ServerDeps {
  readonly ctx: SimContext;
  readonly faults: FaultQueue;
  readonly requests: RequestLog;
  readonly clock: () => number;
  readonly log: (line: string) => void;
}

const FIXED_CREATED_AT = '2026-01-01T00:00:00Z';

async function handleAdmin(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/_sim/faults' && method === 'POST') {
    const read = await readBody(req, 1024 * 1024);
    let value: unknown;
    try {
      value = read.ok ? (JSON.parse(read.body.toString('utf8')) as unknown) : undefined;
    } catch {
      value = undefined;
    }
    const fault = parseFault(value);
    if (typeof fault === 'string') return sendJson(res, 400, { ok: false, error: fault });
    deps.faults.push(fault);
    deps.log(`fault injected: ${JSON.stringify(fault)}`);
    return sendJson(res, 200, { ok: true, pending: deps.faults.pending });
  }
  if (path === '/_sim/faults' && method === 'DELETE') {
    deps.faults.clear();
    return sendJson(res, 200, { ok: true, pending: [] });
  }
  if (path === '/_sim/faults' && method === 'GET') return sendJson(res, 200, { pending: deps.faults.pending });
  if (path === '/_sim/requests' && method === 'GET') return sendJson(res, 200, { requests: deps.requests.all });
  if (path === '/_sim/requests' && method === 'DELETE') {
    deps.requests.clear();
    return sendJson(res, 200, { ok: true });
  }
  sendJson(res, 404, { ok: false, error: `no admin route ${method} ${path}` });
}

function modelObject(m: (typeof MODELS)[number]): unknown {
  return { type: 'model', id: m.id, display_name: m.displayName, created_at: FIXED_CREATED_AT };
}

function modelList(): unknown {
  const data = MODELS.map(modelObject);
  return { data, has_more: false, first_id: MODELS[0]?.id ?? null, last_id: MODELS[MODELS.length - 1]?.id ?? null };
}

async function handleApi(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const at = deps.clock();
  const method = req.method ?? 'GET';
  const requestId = randomId('req_');
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const read = await readBody(req);
  const bodyBytes = read.ok ? read.body.length : read.bytes;
  let outcome: Outcome;
  if (!read.ok) {
    const error = new ApiError(413, 'request_too_large', `Request exceeds the maximum allowed number of bytes (${MAX_BODY_BYTES}).`);
    sendError(res, error, requestId);
    outcome = { status: 413, summary: `${read.bytes} bytes`, errorType: error.type };
  } else {
    const ex: Exchange = { req, res, requestId, body: read.body, signal: controller.signal };
    if (method === 'POST' && path === '/v1/messages') {
      outcome = await handleMessages(deps.ctx, ex);
    } else if (method === 'POST' && path === '/v1/messages/count_tokens') {
      outcome = handleCountTokens(deps.ctx, ex);
    } else if (method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, modelList(), { 'request-id': requestId });
      outcome = { status: 200, summary: '' };
    } else if (method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      const model = findModel(id);
      if (model) sendJson(res, 200, modelObject(model), { 'request-id': requestId });
      else sendError(res, new ApiError(404, 'not_found_error', `model: ${id}`), requestId);
      outcome = model ? { status: 200, summary: '', model: id } : { status: 404, summary: '', model: id, errorType: 'not_found_error' };
    } else {
      const error = new ApiError(404, 'not_found_error', `Not found: ${method} ${path}`);
      sendError(res, error, requestId);
      outcome = { status: 404, summary: '', errorType: error.type };
    }
  }
  deps.requests.add({ requestId, at, method, path, bodyBytes, ...outcome });
  const usage = outcome.usage;
  const tokens = usage
    ? ` in=${usage.input_tokens} read=${usage.cache_read_input_tokens} write=${usage.cache_creation_input_tokens} out=${usage.output_tokens}`
    : '';
  deps.log(`${method} ${path} ${outcome.status}${outcome.model ? ` ${outcome.model}` : ''}${tokens}${outcome.fault ? ` fault=${outcome.fault}` : ''}${outcome.outcome && outcome.outcome !== 'completed' ? ` ${outcome.outcome}` : ''}`);
}

function probe(req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/plain', 'request-id': randomId('req_') });
  res.end(req.method === 'GET' ? 'ok' : undefined);
  return Promise.resolve();
}

export function createRequestHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const work =
      path === '/' && (req.method === 'GET' || req.method === 'HEAD')
        ? probe(req, res)
        : path.startsWith('/_sim/')
          ? handleAdmin(deps, req, res, path)
          : handleApi(deps, req, res, path);
    work.catch((error: unknown) => {
      deps.log(`internal error on ${req.method ?? '?'} ${path}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      if (!res.headersSent) sendError(res, new ApiError(500, 'api_error', 'Internal server error'), randomId('req_'));
      else res.destroy();
    });
  };
}
