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
