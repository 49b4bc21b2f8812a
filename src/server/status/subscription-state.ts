import { urlByOrigin } from '../../url-by-origin';
import type { CalendlyClient, WebhookSubscription } from '../../calendly/client';
import { listSubscriptions } from '../../calendly/subscriptions';
import { startRealTimer, type StartTimer } from '../../timer';
import { WEBHOOK_PATH } from '../receiver';

/** What the status page says about the Calendly webhook subscriptions. */
export type SubscriptionState =
  | { kind: 'not_configured'; reason: string }
  | { kind: 'listed'; subscriptions: SubscriptionSummary[]; notes: string[]; checkedAt: number }
  | { kind: 'failed'; message: string; checkedAt: number }
  /** Calendly has not answered within the page's wait; the answer fills the cache when it comes. */
  | { kind: 'waiting'; waitMs: number };

export interface SubscriptionSummary {
  uuid: string;
  state: string;
  events: string[];
  scope: string;
  /** The callback URL by origin, plus the path only when it is the receiver's own. */
  callback: string;
  retryStartedAt: string | null;
  /** What is wrong with it, in words; null when nothing. */
  problem: string | null;
}

export interface SubscriptionWatch {
  current(): Promise<SubscriptionState>;
}

/** Subscriptions change rarely; Calendly's rate limits are better spent elsewhere. */
const SUBSCRIPTION_CACHE_MS = 60_000;
/** The page never waits longer than this for Calendly. */
const SUBSCRIPTION_WAIT_MS = 2_000;

/**
 * The subscriptions as Calendly lists them, cached briefly. One request to Calendly at a time,
 * whatever the number of page loads; a slow Calendly costs a page at most SUBSCRIPTION_WAIT_MS, and its late
 * answer is kept for the next load.
 */
export function createSubscriptionWatch(options: {
  calendly: CalendlyClient | null;
  /** Why there is no client (no CALENDLY_TOKEN, the sandbox). */
  notConfigured: string;
  now: () => number;
  startTimer?: StartTimer;
}): SubscriptionWatch {
  const { calendly, now } = options;
  const startTimer = options.startTimer ?? startRealTimer;
  let cached: { state: SubscriptionState; at: number } | null = null;
  let asking: Promise<SubscriptionState> | null = null;

  const ask = async (client: CalendlyClient): Promise<SubscriptionState> => {
    try {
      const user = await client.getCurrentUser();
      const { subscriptions, warnings } = await listSubscriptions(client, user, 'all');
      return {
        kind: 'listed',
        subscriptions: subscriptions.map(summarise),
        notes: warnings,
        checkedAt: now(),
      };
    } catch (error) {
      return {
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
        checkedAt: now(),
      };
    }
  };

  return {
    async current() {
      if (calendly === null) return { kind: 'not_configured', reason: options.notConfigured };
      if (cached && now() - cached.at < SUBSCRIPTION_CACHE_MS) return cached.state;
      asking ??= ask(calendly).then((state) => {
        cached = { state, at: now() };
        asking = null;
        return state;
      });
      return new Promise<SubscriptionState>((resolve) => {
        const cancel = startTimer(SUBSCRIPTION_WAIT_MS, () =>
          resolve({ kind: 'waiting', waitMs: SUBSCRIPTION_WAIT_MS }),
        );
        void asking?.then((state) => {
          cancel();
          resolve(state);
        });
      });
    },
  };
}

function summarise(s: WebhookSubscription): SubscriptionSummary {
  return {
    uuid: s.uuid,
    state: s.state,
    events: s.events,
    scope: s.scope,
    callback: callbackShown(s.callbackUrl),
    retryStartedAt: s.retryStartedAt,
    problem:
      s.state === 'disabled'
        ? 'Disabled: Calendly stopped delivering after 24 h of failures and never resumes. Make the URL answer 2xx, then `calendly-zoom webhooks unsubscribe` and `subscribe` again, and `calendly-zoom reconcile --apply`.'
        : s.retryStartedAt
          ? `Failing since ${s.retryStartedAt}: Calendly disables it 24 h after that. Check that the URL answers 2xx (\`calendly-zoom trigger\`).`
          : null,
  };
}

/** A Make or Zapier hook URL carries its secret in the path: only the receiver's own is shown. */
function callbackShown(url: string): string {
  if (URL.canParse(url)) {
    const { origin, pathname, search } = new URL(url);
    if (pathname.replace(/\/+$/, '') === WEBHOOK_PATH && search === '') {
      return `${origin}${WEBHOOK_PATH}`;
    }
  }
  return urlByOrigin(url);
}
