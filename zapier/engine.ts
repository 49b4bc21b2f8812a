import type { Bundle, ZObject } from 'zapier-platform-core';
import { createCalendlyClient, type CalendlyClient } from '../src/calendly/client';
import { createZapierHttpClient, type ZapierRequester } from '../src/http';
import type { LifecycleConfig, LifecycleDeps } from '../src/lifecycle';
import type { Logger } from '../src/log';
import type { BookingStore } from '../src/store/booking-store';
import { createUpstashBookingStore } from '../src/store/upstash';
import { createZoomClient, type ZoomClient } from '../src/zoom/client';
import { createZoomTokenProvider, type ZoomTokenProvider } from '../src/zoom/token';
import { readCredentials } from './credentials';
import { zapierLogger } from './logger';
import { createZCacheTokenCache } from './z-cache-token-cache';

/** What a step works with: the engine's clients, built from the connection. */
export interface ZapierEngine {
  calendly: CalendlyClient;
  zoom: ZoomClient;
  zoomTokens: ZoomTokenProvider;
  /** For the connection's label: which Zoom account these credentials belong to. */
  zoomAccountId: string;
  /** Built on first use: only the booking-mapping steps talk to Upstash. */
  store(): BookingStore;
  log: Logger;
  now: () => number;
  lifecycle(config: LifecycleConfig): LifecycleDeps;
}

/**
 * Zoom's client gives up after this, retries and waits included, so a step ends inside Zapier's
 * 30 s with time left to record the result.
 */
const ZOOM_DEADLINE_MS = 25_000;

export function buildEngine(z: ZObject, bundle: Pick<Bundle, 'authData'>): ZapierEngine {
  const credentials = readCredentials(bundle.authData);
  // z.request's types allow every option it knows; the adapter asks only for what it sends.
  const http = createZapierHttpClient(z as unknown as ZapierRequester);
  const log = zapierLogger(z);
  const now = Date.now;
  const env = process.env;
  const zoomTokens = createZoomTokenProvider({
    credentials: credentials.zoom,
    http,
    cache: createZCacheTokenCache(z.cache, log),
    oauthUrl: env.ZOOM_OAUTH_URL,
    now,
  });
  const zoom = createZoomClient({
    http,
    tokens: zoomTokens,
    apiUrl: env.ZOOM_API_URL,
    now,
    log,
    deadlineMs: ZOOM_DEADLINE_MS,
  });
  let store: BookingStore | undefined;
  const openStore = (): BookingStore => {
    store ??= createUpstashBookingStore(credentials.upstash);
    return store;
  };
  return {
    calendly: createCalendlyClient({
      http,
      token: credentials.calendlyToken,
      apiUrl: env.CALENDLY_API_URL,
    }),
    zoom,
    zoomTokens,
    zoomAccountId: credentials.zoom.accountId,
    store: openStore,
    log,
    now,
    lifecycle: (config) => ({ store: openStore(), zoom, now, log, config }),
  };
}
