import type { HttpClient, HttpResponse } from '../http';
import { CalendlyApiError } from './api-error';
import { isObject, strOrNull, type Json } from './json';

export const DEFAULT_CALENDLY_API_URL = 'https://api.calendly.com';

/** A bound for runaway pagination (a next_page that never ends); far above real organisations. */
const MAX_PAGES = 1000;

export interface CalendlyApiOptions {
  http: HttpClient;
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
}

/**
 * The request helper every Calendly endpoint goes through. `path` is relative to the configured
 * API URL, so the token only ever goes there; `action` completes "to …" in error messages.
 */
export interface CalendlyApi {
  request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    action: string,
    body?: unknown,
  ): Promise<HttpResponse>;
  /** A 2xx JSON object, or CalendlyApiError. */
  json(method: 'GET' | 'POST', path: string, action: string, body?: unknown): Promise<Json>;
  /** `collection` of the first page only, for callers that want a few recent items. */
  firstPage(path: string, action: string): Promise<Json[]>;
  /** `collection` of every page, following `next_page` on the configured API URL. */
  allPages(path: string, action: string): Promise<Json[]>;
}

export function createCalendlyApi(options: CalendlyApiOptions): CalendlyApi {
  const apiUrl = (options.apiUrl ?? DEFAULT_CALENDLY_API_URL).replace(/\/+$/, '');

  const request: CalendlyApi['request'] = async (method, path, action, body) => {
    try {
      return await options.http({
        method,
        url: `${apiUrl}${path}`,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: options.timeoutMs ?? 10_000,
      });
    } catch (cause) {
      // The transport's message names the failure (ECONNREFUSED, timeout) and never the query.
      const why = cause instanceof Error ? ` (${cause.message})` : '';
      throw new CalendlyApiError(0, null, `Could not reach Calendly to ${action}${why}.`, {
        cause,
      });
    }
  };

  const json: CalendlyApi['json'] = async (method, path, action, body) => {
    const response = await request(method, path, action, body);
    if (response.status < 200 || response.status >= 300) throw apiError(response, action);
    try {
      return JSON.parse(response.body) as Json;
    } catch (cause) {
      throw new CalendlyApiError(
        response.status,
        null,
        `Calendly sent a non-JSON answer to ${action}.`,
        { cause },
      );
    }
  };

  const collectionOf = (body: Json): Json[] => {
    const collection = body['collection'];
    return Array.isArray(collection) ? collection.filter(isObject) : [];
  };

  return {
    request,
    json,
    firstPage: async (path, action) => collectionOf(await json('GET', path, action)),
    async allPages(firstPath, action) {
      const items: Json[] = [];
      const endpoint = firstPath.split('?')[0] ?? firstPath;
      const seen = new Set<string>();
      let next: string | null = firstPath;
      while (next !== null) {
        if (seen.size >= MAX_PAGES) {
          throw new CalendlyApiError(
            200,
            null,
            `Calendly kept returning further pages while trying to ${action} (more than ${MAX_PAGES}); stopped rather than return a partial list.`,
          );
        }
        const body: Json = await json('GET', next, action);
        items.push(...collectionOf(body));
        const pagination = isObject(body['pagination']) ? body['pagination'] : {};
        const nextPage = pagination['next_page'];
        if (typeof nextPage !== 'string' || nextPage === '') break;
        // next_page is the same endpoint with a page_token. Only its query is kept: the bearer
        // token goes to the configured API URL, never to a host named inside a response.
        const query = new URL(nextPage, `${apiUrl}/`).search;
        if (seen.has(query)) {
          throw new CalendlyApiError(
            200,
            null,
            `Calendly returned the same next page twice while trying to ${action}.`,
          );
        }
        seen.add(query);
        next = `${endpoint}${query}`;
      }
      return items;
    },
  };
}

/** Turns Calendly's error answers into sentences a user can act on. */
export function apiError(response: HttpResponse, action: string): CalendlyApiError {
  let title: string | null = null;
  let detail = '';
  let parameters: string[] = [];
  try {
    const body = JSON.parse(response.body) as Json;
    title = strOrNull(body['title']);
    detail = strOrNull(body['message']) ?? '';
    // 400s name the offending parameters in `details`; the sentence alone says only "invalid".
    parameters = (Array.isArray(body['details']) ? body['details'] : [])
      .filter(isObject)
      .map((d) => [strOrNull(d['parameter']), strOrNull(d['message'])].filter(Boolean).join(': '))
      .filter((d) => d !== '');
  } catch {
    // Not JSON (a proxy's error page): the status alone must do.
  }
  const said =
    (detail ? ` Calendly said: "${detail}"` : '') +
    (parameters.length > 0 ? ` (${parameters.join('; ')})` : '');
  const status = response.status;
  let message: string;
  if (status === 401) {
    message = `Calendly refused the token while trying to ${action}: check CALENDLY_TOKEN (a personal access token from Calendly > Integrations & Apps > API & Webhooks).${said}`;
  } else if (status === 403 && /upgrade/i.test(detail)) {
    message = `Calendly needs a different plan to ${action}.${said}`;
  } else if (status === 403) {
    message = `Calendly refused to ${action}: organisation-wide access needs a token of an organisation owner or admin; use --scope user (or ask an admin) otherwise.${said}`;
  } else if (status === 404) {
    message = `Calendly has no such resource (HTTP 404) while trying to ${action}: check the URI, and that the token's user can see it.${said}`;
  } else if (status === 409) {
    message = `A webhook subscription for this URL already exists in Calendly; list it with \`calendly-zoom webhooks list\` and remove it first if its signing key is lost.${said}`;
  } else if (status === 429) {
    message = `Calendly rate-limited the request to ${action}; try again in a minute.${said}`;
  } else if (status >= 500) {
    message = `Calendly failed (HTTP ${status}) while trying to ${action}; try again later.${said}`;
  } else {
    message = `Calendly rejected the request to ${action} (HTTP ${status}).${said}`;
  }
  return new CalendlyApiError(status, title, message);
}
