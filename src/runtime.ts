import { createCalendlyClient, type CalendlyClient } from './calendly/client';
import type { AppConfig, StoreConfig } from './config';
import { createFetchHttpClient, type HttpClient } from './http';
import type { LifecycleDeps } from './lifecycle';
import type { Logger } from './log';
import { configuredChannels } from './notify/channels';
import type { BookingStore, StoreNotifyOptions } from './store/booking-store';
import { SqliteBookingStore } from './store/sqlite';
import { createUpstashBookingStore } from './store/upstash';
import { createZoomClient, type ZoomClient } from './zoom/client';
import { createZoomTokenProvider } from './zoom/token';
import { createMemoryTokenCache, type TokenCache } from './zoom/token-cache';
import { createUpstashTokenCache } from './zoom/upstash-token-cache';

/** Everything the CLI and the receiver run on, built from validated config in one place. */
export interface Runtime {
  store: BookingStore;
  zoom: ZoomClient;
  /** Null when no CALENDLY_TOKEN is configured. */
  calendly: CalendlyClient | null;
  lifecycle: LifecycleDeps;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  log: Logger;
  http?: HttpClient;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Overall budget of one Zoom operation; the receiver keeps it inside Calendly's 15 s timeout. */
  zoomDeadlineMs?: number;
}

/** `notify`: the channels every change is announced on (none: nothing is queued). */
export function openStore(
  config: StoreConfig,
  now: () => number = Date.now,
  notify?: StoreNotifyOptions,
): BookingStore {
  return config.kind === 'upstash'
    ? createUpstashBookingStore({
        url: config.url,
        token: config.token,
        prefix: config.prefix,
        notify,
      })
    : new SqliteBookingStore({ path: config.path, now, notify });
}

/** Upstash when configured, so every instance shares one Zoom token; memory otherwise. */
export function openTokenCache(config: StoreConfig, now: () => number = Date.now): TokenCache {
  return config.kind === 'upstash'
    ? createUpstashTokenCache({ url: config.url, token: config.token, prefix: config.prefix })
    : createMemoryTokenCache({ now });
}

export function createRuntime(config: AppConfig, options: RuntimeOptions): Runtime {
  const now = options.now ?? Date.now;
  const http = options.http ?? createFetchHttpClient();
  const store = openStore(config.store, now, { channels: configuredChannels(config.notify) });
  const tokens = createZoomTokenProvider({
    credentials: {
      accountId: config.zoom.accountId,
      clientId: config.zoom.clientId,
      clientSecret: config.zoom.clientSecret,
    },
    http,
    cache: openTokenCache(config.store, now),
    oauthUrl: config.zoom.oauthUrl,
    now,
  });
  const zoom = createZoomClient({
    http,
    tokens,
    apiUrl: config.zoom.apiUrl,
    now,
    sleep: options.sleep,
    log: options.log,
    deadlineMs: options.zoomDeadlineMs,
    defaultSettings: config.lifecycle.meetingSettings,
  });
  const calendly = config.calendly.token
    ? createCalendlyClient({ http, token: config.calendly.token, apiUrl: config.calendly.apiUrl })
    : null;
  return {
    store,
    zoom,
    calendly,
    lifecycle: { store, zoom, now, log: options.log, config: config.lifecycle },
    close: () => store.close(),
  };
}
