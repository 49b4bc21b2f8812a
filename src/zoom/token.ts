import { createHash } from 'node:crypto';
import { ConfigError } from '../errors';
import { HttpTransportError, type HttpClient, type HttpResponse } from '../http';
import { ZoomNetworkError } from './errors';
import { tokenEndpointError } from './error-messages';
import { createMemoryTokenCache, type CachedToken, type TokenCache } from './token-cache';

export const DEFAULT_ZOOM_OAUTH_URL = 'https://zoom.us/oauth/token';

/** Stop using a token this long before it expires, so no call starts with a token about to die. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * How long a process reuses the token it last read or fetched before reading the (shared) cache
 * again: a Zoom call then costs no Upstash round trip, while a token another instance replaced is
 * picked up within seconds.
 */
export const LOCAL_TOKEN_COPY_MS = 30_000;

/**
 * On a cache shared by a fleet, one process fetches a new token and the others wait this long at
 * most for it to appear before fetching their own: a cold start or a revocation then costs the
 * fleet one token request, not one per process.
 */
const SHARED_REFRESH_WAIT_MS = 3_000;
const SHARED_REFRESH_POLL_MS = 100;

export interface ZoomCredentials {
  accountId: string;
  clientId: string;
  /** Never logged, never in an error message, never in a cache key in clear. */
  clientSecret: string;
}

export interface ZoomAccessToken {
  accessToken: string;
  expiresAt: number;
  /** False when this call (or one it joined) fetched it; the 401 rule needs to know. */
  fromCache: boolean;
}

export interface ZoomTokenProvider {
  getToken(): Promise<ZoomAccessToken>;
  /** Zoom rejected `accessToken`: it is never handed out again, even if a cache still holds it. */
  invalidate(accessToken: string): Promise<void>;
}

export interface ZoomTokenProviderOptions {
  credentials: ZoomCredentials;
  http: HttpClient;
  /** Defaults to an in-process cache. Share one (Upstash, `z.cache`) across processes. */
  cache?: TokenCache;
  oauthUrl?: string;
  now?: () => number;
  /** For the wait on another process's refresh; real timers by default. */
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
}

/**
 * One cache entry per Zoom app. The secret is part of the identity (after a secret is regenerated,
 * the old token must not be reused) but only as a hash: cache stores are read by more people.
 */
export function zoomTokenCacheKey(credentials: ZoomCredentials): string {
  const secretHash = createHash('sha256').update(credentials.clientSecret).digest('hex');
  return `zoom-token:${credentials.accountId}:${credentials.clientId}:${secretHash.slice(0, 16)}`;
}

/**
 * Server-to-Server OAuth tokens: cached until 5 minutes before expiry, and fetched by at most one
 * request at a time per provider (single-flight), so a burst of calls costs one token request.
 */
export function createZoomTokenProvider(options: ZoomTokenProviderOptions): ZoomTokenProvider {
  const { credentials, http } = options;
  const missing = (['accountId', 'clientId', 'clientSecret'] as const).filter(
    (name) => credentials[name].trim() === '',
  );
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map(
        (name) =>
          `Zoom ${SETTING_LABEL[name]} is empty; copy it from the app's App Credentials page.`,
      ),
    );
  }
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const cache = options.cache ?? createMemoryTokenCache({ now });
  const oauthUrl = options.oauthUrl ?? DEFAULT_ZOOM_OAUTH_URL;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const key = zoomTokenCacheKey(credentials);
  let inFlight: Promise<ZoomAccessToken> | null = null;
  /** Tokens Zoom rejected (newest last, a few kept): never handed out again, whatever a cache says. */
  const rejected: string[] = [];
  /** The token this process last used, and until when it may skip the cache read. */
  let local: { token: CachedToken; until: number } | null = null;

  /** A stored token this process may hand out: not about to expire, not rejected by Zoom. */
  function handOut(stored: unknown): ZoomAccessToken | null {
    if (!isUsable(stored, now()) || rejected.includes(stored.accessToken)) return null;
    return { accessToken: stored.accessToken, expiresAt: stored.expiresAt, fromCache: true };
  }

  async function fromCache(): Promise<ZoomAccessToken | null> {
    const cached = await cache.get(key);
    const token = handOut(cached);
    if (token) local = { token, until: now() + LOCAL_TOKEN_COPY_MS };
    return token;
  }

  /** Another process claimed the refresh: its token, once it lands in the shared cache. */
  async function awaitOthersToken(): Promise<ZoomAccessToken | null> {
    for (let waited = 0; waited < SHARED_REFRESH_WAIT_MS; waited += SHARED_REFRESH_POLL_MS) {
      await sleep(SHARED_REFRESH_POLL_MS);
      const token = await fromCache();
      if (token) return token;
    }
    return null;
  }

  async function resolve(): Promise<ZoomAccessToken> {
    const cached = await fromCache();
    if (cached) return cached;
    if (cache.claimRefresh && !(await cache.claimRefresh(key, SHARED_REFRESH_WAIT_MS))) {
      const theirs = await awaitOthersToken();
      if (theirs) return theirs;
    }
    const fresh = await fetchToken();
    // Zoom just issued it, so it is good even if an identical string was rejected before.
    const stale = rejected.indexOf(fresh.accessToken);
    if (stale >= 0) rejected.splice(stale, 1);
    const ttlMs = fresh.expiresAt - TOKEN_REFRESH_MARGIN_MS - now();
    // A token that expires within the margin is still good for this call, just not worth keeping.
    if (ttlMs > 0) {
      await cache.set(key, fresh, ttlMs);
      local = { token: fresh, until: now() + LOCAL_TOKEN_COPY_MS };
    }
    return { ...fresh, fromCache: false };
  }

  async function fetchToken(): Promise<CachedToken> {
    const url = `${oauthUrl}?grant_type=account_credentials&account_id=${encodeURIComponent(credentials.accountId)}`;
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString(
      'base64',
    );
    let response: HttpResponse;
    try {
      response = await http({
        method: 'POST',
        url,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: '',
        timeoutMs,
      });
    } catch (error) {
      if (!(error instanceof HttpTransportError)) throw error;
      throw new ZoomNetworkError(
        `Could not reach Zoom's token endpoint (${error.message}).`,
        error.timedOut,
        { cause: error },
      );
    }
    const ok = response.status >= 200 && response.status < 300;
    const token = ok ? parseTokenBody(response.body, now()) : null;
    if (token === null) throw tokenEndpointError(response);
    return token;
  }

  return {
    async getToken() {
      const copy = local && now() < local.until ? handOut(local.token) : null;
      if (copy) return copy;
      // Cache reads go through the single flight too: 100 callers on a cold cache must not all
      // see the miss before the first fetch is registered.
      const join = (): Promise<ZoomAccessToken> =>
        (inFlight ??= resolve().finally(() => {
          inFlight = null;
        }));
      const token = await join();
      // A flight that read the cache before invalidate() hands back the token just rejected: the
      // caller's one refresh would be wasted on it. That flight has settled, so this is a new one.
      // A token fetched just now is Zoom's latest word, even if it repeats a rejected one.
      return token.fromCache && rejected.includes(token.accessToken) ? join() : token;
    },
    async invalidate(accessToken) {
      // Remembered here, so this process never hands it out again whatever a cache says; and
      // dropped from the cache only if it still holds this very token (a get-then-delete could
      // remove the newer token another instance stored in between), so the rest of the fleet
      // stops picking it up too.
      rejected.push(accessToken);
      if (rejected.length > 8) rejected.shift();
      if (local?.token.accessToken === accessToken) local = null;
      try {
        await cache.deleteIf?.(key, accessToken);
      } catch {
        // Best effort: the entry is overwritten by the next fetch, and this process knows anyway.
      }
    },
  };
}

const SETTING_LABEL = {
  accountId: 'Account ID',
  clientId: 'Client ID',
  clientSecret: 'Client Secret',
} as const;

/** Shared stores may hold anything (an older format, another tool's value): check the shape. */
function isUsable(value: unknown, nowMs: number): value is CachedToken {
  if (typeof value !== 'object' || value === null) return false;
  const { accessToken, expiresAt } = value as Record<string, unknown>;
  return (
    typeof accessToken === 'string' &&
    accessToken !== '' &&
    typeof expiresAt === 'number' &&
    nowMs < expiresAt - TOKEN_REFRESH_MARGIN_MS
  );
}

function parseTokenBody(text: string, nowMs: number): CachedToken | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { access_token: accessToken, expires_in: expiresIn } = body as Record<string, unknown>;
  if (typeof accessToken !== 'string' || accessToken === '') return null;
  if (typeof expiresIn !== 'number' || !(expiresIn > 0)) return null;
  return { accessToken, expiresAt: nowMs + expiresIn * 1000 };
}
