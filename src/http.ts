import { Readable } from 'node:stream';
import { CalendlyZoomError } from './errors';

/**
 * The HTTP port. The engine only ever speaks this shape, so the CLI/server (fetch) and Zapier
 * (`z.request`) each need a few lines of adapter and tests can hand in anything.
 */
export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Abort the whole exchange (headers and body) after this long. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/** Resolves for every HTTP status; rejects only with HttpTransportError (no answer at all). */
export type HttpClient = (request: HttpRequest) => Promise<HttpResponse>;

/** The request never got an answer: connection refused or reset, DNS failure, or timeout. */
export class HttpTransportError extends CalendlyZoomError {
  readonly kind = 'http_transport';

  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

type HeaderSource =
  | { forEach(callback: (value: string, name: string) => void): void }
  | Readonly<Record<string, string | number | readonly string[] | undefined>>;

/** Lower-cases names so every adapter hands the engine the same shape. */
export function normaliseHeaders(source: HeaderSource): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const previous = out[key];
    out[key] = previous === undefined ? value : `${previous}, ${value}`;
  };
  if (typeof source.forEach === 'function') {
    (source as { forEach(cb: (value: string, name: string) => void): void }).forEach(
      (value, name) => add(name, value),
    );
    return out;
  }
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    add(name, Array.isArray(value) ? value.join(', ') : String(value));
  }
  return out;
}

/** Reads a header whatever the case of its name: captures of Zoom answers differ in case. */
export function getHeader(headers: Readonly<Record<string, string>>, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return null;
}

/**
 * The fetch adapter. `fetchImpl` is looked up at call time when not given, so a fetch patched
 * after start-up (nock, undici's MockAgent) is still the one used.
 */
export function createFetchHttpClient(fetchImpl?: typeof fetch): HttpClient {
  return async (request) => {
    const doFetch = fetchImpl ?? globalThis.fetch;
    const signal =
      request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs);
    try {
      const response = await doFetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal,
      });
      // Read under the same signal: a server that stalls halfway through the body times out too.
      const body = await response.text();
      return { status: response.status, headers: normaliseHeaders(response.headers), body };
    } catch (error) {
      // By name, not instanceof: the DOMException may come from another realm (jest, vm).
      const timedOut = errorField(error, 'name') === 'TimeoutError';
      throw new HttpTransportError(
        `${request.method} ${withoutQuery(request.url)} got no answer: ${
          timedOut ? `timed out after ${request.timeoutMs} ms` : describeCause(error)
        }`,
        timedOut,
        { cause: error },
      );
    }
  };
}

/** Query strings can carry page tokens and ids nobody asked to see in an error message. */
function withoutQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in `cause`. */
function describeCause(error: unknown): string {
  const message = errorField(error, 'message') ?? String(error);
  const inner =
    typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const detail = errorField(inner, 'code') ?? errorField(inner, 'message');
  return detail === null ? message : `${message} (${detail})`;
}

function errorField(error: unknown, field: 'name' | 'message' | 'code'): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : null;
}

/**
 * The part of Zapier's `z.request` the adapter uses, typed here so that src/ never imports
 * zapier-platform-core.
 */
export interface ZapierRequestOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: NodeJS.ReadableStream;
  /** Milliseconds; node-fetch applies it to the headers and again to the body. */
  timeout?: number;
  /** Bounds headers and body together, which `timeout` alone does not (core 15.14.1+). */
  signal?: AbortSignal;
  /** Every status comes back: the engine's clients decide (a Zoom 401 means "new token"). */
  skipThrowForStatus: true;
  /** Otherwise any 429 becomes a ThrottledError before the Zoom retry policy sees it. */
  throwForThrottlingEarly: false;
  /** Our bodies are data, not templates: no `{{curly}}` handling and no requestTemplate. */
  merge: false;
  /** The body is read here rather than by Zapier, which also keeps it out of Zapier's HTTP log. */
  raw: true;
}

export interface ZapierRawResponse {
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
}

export interface ZapierRequester {
  request(options: ZapierRequestOptions): Promise<ZapierRawResponse>;
}

/**
 * The z.request adapter. Zapier logs every z.request with its bodies, and its scrubber does not
 * recognise a Zoom start_url (`?zak=…`) or the `signing_key` sent to Calendly; so request bodies
 * go as streams and responses are read raw, which Zapier logs as "<streaming data>". The log keeps
 * method, URL, status and headers, with credentials censored by Zapier.
 */
export function createZapierHttpClient(z: ZapierRequester): HttpClient {
  return async (request) => {
    const headers = { ...request.headers };
    let body: NodeJS.ReadableStream | undefined;
    if (request.body !== undefined) {
      const bytes = Buffer.from(request.body);
      // A stream of known length: sent with Content-Length, not chunked.
      headers['content-length'] = String(bytes.length);
      body = Readable.from([bytes]);
    }
    try {
      const response = await z.request({
        url: request.url,
        method: request.method,
        headers,
        body,
        timeout: request.timeoutMs,
        signal:
          request.timeoutMs === undefined ? undefined : AbortSignal.timeout(request.timeoutMs),
        skipThrowForStatus: true,
        throwForThrottlingEarly: false,
        merge: false,
        raw: true,
      });
      const text = await response.text();
      return { status: response.status, headers: normaliseHeaders(response.headers), body: text };
    } catch (error) {
      // node-fetch reports every transport failure as a FetchError (its `type` says which);
      // anything else is not ours to disguise as a network problem.
      const fetchError = asFetchError(error);
      if (fetchError === null) throw error;
      const timedOut = ['request-timeout', 'body-timeout', 'aborted'].includes(fetchError.type);
      throw new HttpTransportError(
        `${request.method} ${withoutQuery(request.url)} got no answer: ${
          timedOut ? `timed out after ${request.timeoutMs} ms` : fetchError.reason
        }`,
        timedOut,
        { cause: error },
      );
    }
  };
}

/**
 * node-fetch's message quotes the whole URL, query included ("request to … failed, reason: …");
 * only the reason is kept.
 */
function asFetchError(error: unknown): { type: string; reason: string } | null {
  if (typeof error !== 'object' || error === null) return null;
  const { name, type, code, message } = error as Record<string, unknown>;
  // The signal's abort surfaces as node-fetch's AbortError (type `aborted`): only our timeout
  // sets one, so it is a timeout.
  if (name !== 'FetchError' && name !== 'AbortError') return null;
  const text = typeof message === 'string' ? message : '';
  const reason = text.includes('reason: ') ? text.slice(text.indexOf('reason: ') + 8) : '';
  return {
    type: typeof type === 'string' ? type : '',
    reason: reason || (typeof code === 'string' ? code : 'connection failed'),
  };
}
