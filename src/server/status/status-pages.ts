import type { IncomingMessage } from 'node:http';
import { viewBooking } from '../../bookings/booking-view';
import { findBookings, parseBookingQuery } from '../../bookings/find-bookings';
import { summariseOperations } from '../../bookings/operations-summary';
import type { CalendlyClient } from '../../calendly/client';
import type { BookingStore } from '../../store/booking-store';
import { methodNotAllowed, type Reply } from '../respond';
import type { StartTimer } from '../../timer';
import { html } from './html';
import { htmlReply, page } from './page-layout';
import { renderBookings } from './render-bookings';
import { renderOverview } from './render-overview';
import { createStatusAuth } from './status-auth';
import { createSubscriptionWatch } from './subscription-state';

export interface StatusPagesOptions {
  /** STATUS_TOKEN: every page asks for it. */
  token: string;
  store: Pick<BookingStore, 'get' | 'findByInvitee' | 'list' | 'outbox'>;
  calendly: CalendlyClient | null;
  /** Said instead of the subscription's state when there is no Calendly client. */
  calendlyNotConfigured: string;
  notificationsOn: boolean;
  storeKind: string;
  /** Every page then says SANDBOX. */
  sandbox: boolean;
  now: () => number;
  startTimer?: StartTimer;
}

export interface StatusPages {
  handles(path: string): boolean;
  route(req: IncomingMessage, path: string): Promise<Reply>;
}

const PATHS = new Set(['/', '/login', '/logout', '/bookings']);
/** Outbox items shown per table. */
const OUTBOX_ROWS = 10;

/**
 * The operator's pages (`serve` with STATUS_TOKEN): `/` the overview, `/bookings?q=` the search,
 * `/login?token=` and `/logout` for browsers. Every page, `/logout` included, answers 401 without
 * the token; the login page itself shows nothing but how to log in.
 */
export function createStatusPages(options: StatusPagesOptions): StatusPages {
  const auth = createStatusAuth(options.token);
  const subscriptions = createSubscriptionWatch({
    calendly: options.calendly,
    notConfigured: options.calendlyNotConfigured,
    now: options.now,
    startTimer: options.startTimer,
  });
  const { sandbox, store } = options;

  const loginPage = (message: string): Reply =>
    htmlReply(
      401,
      page({
        title: 'Log in',
        sandbox,
        signedIn: false,
        body: html`<section>
          <h2>This page needs the status token</h2>
          <p>${message}</p>
          <form method="get" action="/login">
            <p>
              <input
                type="password"
                name="token"
                autocomplete="current-password"
                aria-label="Status token"
                placeholder="STATUS_TOKEN"
              />
              <button type="submit">Log in</button>
            </p>
          </form>
          <p class="muted">
            Or send <code>Authorization: Bearer &lt;STATUS_TOKEN&gt;</code> with each request.
          </p>
        </section>`,
      }),
      { headers: { 'WWW-Authenticate': 'Bearer realm="calendly-zoom status"' } },
    );

  const overview = async (): Promise<Reply> => {
    const now = options.now();
    const [summary, outbox, subscription] = await Promise.all([
      summariseOperations(store, now),
      options.notificationsOn
        ? Promise.all([
            store.outbox.counts(now),
            store.outbox.list({ limit: OUTBOX_ROWS, now }),
            store.outbox.list({ status: 'failed', limit: OUTBOX_ROWS, now }),
          ]).then(([counts, recent, failed]) => ({ counts, recent, failed }))
        : null,
      subscriptions.current(),
    ]);
    return htmlReply(
      200,
      page({
        title: 'Status',
        sandbox,
        signedIn: true,
        body: renderOverview({ summary, outbox, subscription, storeKind: options.storeKind, now }),
      }),
    );
  };

  const search = async (text: string): Promise<Reply> => {
    const query = parseBookingQuery(text);
    const views = query === null ? null : (await findBookings(store, query)).map(viewBooking);
    return htmlReply(
      200,
      page({
        title: 'Find a booking',
        sandbox,
        signedIn: true,
        query: text,
        body: renderBookings(text, views),
      }),
    );
  };

  const pageFor = async (req: IncomingMessage, path: string, url: URL): Promise<Reply> => {
    if (path === '/login') {
      const given = url.searchParams.get('token');
      if (given === null || !auth.accepts(given)) {
        return loginPage(given === null ? 'Log in with it:' : 'That is not the token.');
      }
      return redirect('/', auth.sessionCookie(isHttps(req)));
    }
    if (!auth.allows(req)) return loginPage('Log in with it:');
    if (path === '/logout') return redirect('/login', auth.clearCookie());
    if (path === '/bookings') return search(url.searchParams.get('q') ?? '');
    return overview();
  };

  return {
    handles: (path) => PATHS.has(path),
    async route(req, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(['GET', 'HEAD']);
      const url = new URL(req.url ?? '/', 'http://status.invalid');
      try {
        return await pageFor(req, path, url);
      } catch (error) {
        // The reader holds the token: the store's own words help more than a bare 503.
        return htmlReply(
          503,
          page({
            title: 'Unavailable',
            sandbox,
            signedIn: true,
            body: html`<p class="state-bad">
              The booking store did not answer:
              ${error instanceof Error ? error.message : String(error)}
            </p>`,
          }),
          { headers: { 'Retry-After': '5' }, fields: { error: 'status_page_store' } },
        );
      }
    },
  };
}

function redirect(location: string, cookie: string): Reply {
  return {
    status: 303,
    body: {},
    document: { contentType: 'text/plain; charset=utf-8', text: `See ${location}\n` },
    headers: { Location: location, 'Set-Cookie': cookie, 'Referrer-Policy': 'no-referrer' },
    level: 'info',
    fields: {},
  };
}

/** Behind a TLS-terminating proxy the cookie is marked Secure. */
function isHttps(req: IncomingMessage): boolean {
  const proto = req.headers['x-forwarded-proto'];
  return (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim() === 'https';
}
