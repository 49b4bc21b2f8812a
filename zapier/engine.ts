import type { Bundle, ZObject } from 'zapier-platform-core';
import { createCalendlyClient, type CalendlyClient } from '../src/calendly/client';
import { deadlineIn, httpWithinDeadline, type Deadline } from '../src/deadline';
import { createDeliveryDedupe, type DeliveryDedupe } from '../src/delivery-dedupe';
import { createZapierHttpClient, type ZapierRequester } from '../src/http';
import type { LifecycleConfig, LifecycleDeps } from '../src/lifecycle';
import type { Logger } from '../src/log';
import type { BookingStore } from '../src/store/booking-store';
import { createUpstashBookingStore } from '../src/store/upstash';
import { createUpstashRedis } from '../src/upstash-client';
import { createZoomClient, type ZoomClient } from '../src/zoom/client';
import { createZoomTokenProvider, type ZoomTokenProvider } from '../src/zoom/token';
import { readCredentials } from './credentials';
import { zapierLogger } from './logger';
import type { PageCursor } from './page-cursor';
import { createZCacheTokenCache } from './z-cache-token-cache';

/** What a step works with: the engine's clients, built from the connection. */
export interface ZapierEngine {
  calendly: CalendlyClient;
  zoom: ZoomClient;
  zoomTokens: ZoomTokenProvider;
  /** For the connection's label: which Zoom account these credentials belong to. */
  zoomAccountId: string;
  /** Built on first use, like everything on Upstash: not every step talks to it. */
  store(): BookingStore;
  /** Which Calendly deliveries this app already passed on (Upstash). */
  dedupe(): DeliveryDedupe;
  log: Logger;
  now: () => number;
  /** The step's one time budget, shared by every call it makes. */
  deadline: Deadline;
  /** Zapier's per-Zap cursor, for dropdowns that page. */
  cursor: PageCursor;
  lifecycle(config: LifecycleConfig): LifecycleDeps;
}

/**
 * Zapier stops a step after 30 s and then cannot tell whether it finished. Every Calendly, Zoom
 * and Upstash call of a step, retries and waits included, fits in this, leaving the rest for
 * Zapier's own start-up and for handing the result back.
 */
export const STEP_BUDGET_MS = 25_000;

/** One Upstash request, its retries included, may take this much of the step. */
const UPSTASH_TIMEOUT_MS = 8_000;
const UPSTASH_RETRIES = 1;

/**
 * `ZAPIER_STEP_BUDGET_MS` can only shorten the budget: it exists so tests and local runs can watch
 * a step run out of time without waiting 25 s.
 */
export function stepBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const override = Number(env.ZAPIER_STEP_BUDGET_MS);
  return Number.isFinite(override) && override > 0
    ? Math.min(override, STEP_BUDGET_MS)
    : STEP_BUDGET_MS;
}

export function buildEngine(z: ZObject, bundle: Pick<Bundle, 'authData'>): ZapierEngine {
  const credentials = readCredentials(bundle.authData);
  // Date.now is looked up on every call, so a test's clock stands in for it.
  const now = (): number => Date.now();
  const env = process.env;
  const budgetMs = stepBudgetMs(env);
  const deadline = deadlineIn(budgetMs, now);
  // z.request's types allow every option it knows; the adapter asks only for what it sends.
  const http = httpWithinDeadline(
    createZapierHttpClient(z as unknown as ZapierRequester),
    deadline,
  );
  const log = zapierLogger(z);
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
    deadlineMs: budgetMs,
    deadlineAt: deadline.at,
  });
  const upstash = lazy(() =>
    createUpstashRedis({
      ...credentials.upstash,
      timeoutMs: UPSTASH_TIMEOUT_MS,
      retries: UPSTASH_RETRIES,
      deadline,
    }),
  );
  const store = lazy(() => createUpstashBookingStore({ redis: upstash() }));
  return {
    calendly: createCalendlyClient({
      http,
      token: credentials.calendlyToken,
      apiUrl: env.CALENDLY_API_URL,
    }),
    zoom,
    zoomTokens,
    zoomAccountId: credentials.zoom.accountId,
    store,
    dedupe: lazy(() => createDeliveryDedupe({ redis: upstash() })),
    log,
    now,
    deadline,
    cursor: z.cursor,
    lifecycle: (config) => ({ store: store(), zoom, now, log, config }),
  };
}

function lazy<T>(make: () => T): () => T {
  let value: { made: T } | undefined;
  return () => (value ??= { made: make() }).made;
}
