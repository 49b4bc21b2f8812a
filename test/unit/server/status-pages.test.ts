import { createHash } from 'node:crypto';
import nock from 'nock';
import type { CalendlyClient, WebhookSubscription } from '../../../src/calendly/client';
import { createJsonLogger } from '../../../src/log';
import { createReceiver, type Receiver } from '../../../src/server/receiver';
import { startHttpServer, type RunningHttpServer } from '../../../src/server/start-http-server';
import { createStatusPages } from '../../../src/server/status/status-pages';
import type { BookingStore } from '../../../src/store/booking-store';
import { StoreError } from '../../../src/store/errors';
import { MemoryBookingStore } from '../../../src/store/memory';
import { send, type ReceivedResponse } from '../../support/http-request';
import { canceled, created } from '../../support/invitee-events';
import { harness, type Harness } from '../../support/lifecycle-harness';

// The status page through the receiver's own HTTP server: what a person (or curl) gets back.

const TOKEN = 'status-token-NEVER-LOGGED-0123456789abcdef';
const HOOK = 'https://hooks.example.com/secret-hook-path/abc123';

beforeAll(() => nock.restore());

let h: Harness;
let receiver: Receiver;
let server: RunningHttpServer;
let logLines: string[];

async function start(
  options: {
    token?: string | null;
    calendly?: CalendlyClient | null;
    store?: BookingStore;
    notificationsOn?: boolean;
  } = {},
): Promise<void> {
  h = harness({ store: options.store, config: { defaultHost: null } });
  logLines = [];
  const log = createJsonLogger((line) => logLines.push(line));
  const token = options.token === undefined ? TOKEN : options.token;
  receiver = createReceiver({
    deps: { ...h.deps, log },
    storeKind: 'sqlite',
    signingKeys: ['k'],
    toleranceSeconds: 300,
    log,
    pages:
      token === null
        ? undefined
        : createStatusPages({
            token,
            store: h.store,
            calendly: options.calendly ?? null,
            calendlyNotConfigured: 'CALENDLY_TOKEN is not set.',
            notificationsOn: options.notificationsOn ?? false,
            storeKind: 'sqlite',
            sandbox: false,
            now: () => h.clock.now,
          }),
  });
  server = await startHttpServer(receiver.handle, { port: 0, host: '127.0.0.1', log });
}

afterEach(async () => {
  await server.close();
  await receiver.idle();
});

const get = (path: string, headers: Record<string, string> = {}): Promise<ReceivedResponse> =>
  send(server.url, { path, headers });
const asOperator = (path: string): Promise<ReceivedResponse> =>
  get(path, { authorization: `Bearer ${TOKEN}` });

/** A booking whose host has no Zoom user (and no default host): it needs attention. */
async function lostBooking(): Promise<void> {
  await expect(
    h.handle(created({ event: 'ev-lost', invitee: 'lost', host: 'nobody@example.com' })),
  ).rejects.toThrow();
}

describe('the status page: who may see it', () => {
  it('is not there without STATUS_TOKEN: / is a 404 like any unknown path', async () => {
    await start({ token: null });
    expect((await get('/')).status).toBe(404);
    expect((await get('/login?token=x')).status).toBe(404);
  });

  it.each(['/', '/bookings', '/bookings?q=lost%40example.com', '/logout', '/login'])(
    '%s refuses a request without the token: 401 with the way to log in, and no booking',
    async (path) => {
      await start();
      await lostBooking();
      const res = await get(path);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="calendly-zoom status"');
      expect(res.text).toContain('This page needs the status token');
      expect(res.text).not.toMatch(/lost@example\.com|ev-lost|nobody@example\.com/);
    },
  );

  it.each([
    ['a wrong bearer token', { authorization: 'Bearer not-the-token-not-the-token-xx' }],
    ['the token in another scheme', { authorization: `Basic ${TOKEN}` }],
    ['a cookie made from another token', { cookie: 'cz_status=0123456789abcdef' }],
    ['the raw token as cookie', { cookie: `cz_status=${TOKEN}` }],
  ])('refuses %s', async (_what, headers) => {
    await start();
    expect((await get('/', headers)).status).toBe(401);
  });

  it('lets in a request with Authorization: Bearer <token>', async () => {
    await start();
    const res = await asOperator('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('/login?token= sets an HttpOnly, SameSite=Strict cookie (not the token) that opens the pages', async () => {
    await start();
    const login = await get(`/login?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(
      /^cz_status=[0-9a-f]{64}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/,
    );
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0] ?? '';
    expect((await get('/', { cookie: session })).status).toBe(200);
    expect((await get('/bookings?q=x%40y.z', { cookie: `a=b; ${session}` })).status).toBe(200);
  });

  it('marks the cookie Secure behind an https proxy', async () => {
    await start();
    const login = await get(`/login?token=${TOKEN}`, { 'x-forwarded-proto': 'https' });
    expect(String(login.headers['set-cookie'])).toMatch(/; Secure$/);
  });

  it('a wrong token at /login is a 401 that does not echo it', async () => {
    await start();
    const res = await get('/login?token=guess-guess-guess-guess-guess');
    expect(res.status).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text).toContain('That is not the token.');
    expect(res.text).not.toContain('guess-guess');
  });

  it('/logout clears the cookie', async () => {
    await start();
    const res = await asOperator('/logout');
    expect(res.status).toBe(303);
    expect(String(res.headers['set-cookie'])).toMatch(/^cz_status=; Path=\/; Max-Age=0/);
  });

  it('never writes the token to the log: request lines name the path only', async () => {
    await start();
    await get(`/login?token=${TOKEN}`);
    await asOperator('/');
    await get(`/login?token=${TOKEN.slice(0, -1)}`);
    await receiver.idle();
    expect(logLines.filter((l) => l.includes('"path":"/login"'))).toHaveLength(2);
    expect(logLines.join('\n')).not.toContain(TOKEN.slice(0, 20));
  });

  it('answers 405 to anything but GET and HEAD', async () => {
    await start();
    const res = await send(server.url, {
      method: 'POST',
      path: '/',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('the status page: what it shows', () => {
  it("shows today's outcomes, the booking that needs attention with its fix, and recent deliveries", async () => {
    await start();
    await h.handle(created({ event: 'ev-1', invitee: 'ann' }));
    await h.handle(canceled({ event: 'ev-1', invitee: 'ann' }));
    await h.handle(created({ event: 'ev-2', invitee: 'bob' }));
    await lostBooking();

    const { text } = await asOperator('/');

    expect(text).toMatch(/data-outcome="created"[^>]*>\s*<b>2<\/b>/);
    expect(text).toMatch(/data-outcome="cancelled"[^>]*>\s*<b>1<\/b>/);
    expect(text).toMatch(/class="tile bad"\s+data-outcome="needs_attention"[^>]*>\s*<b>1<\/b>/);
    expect(text).toContain('Bookings that need attention (1)');
    expect(text).toContain('host_without_zoom_user');
    expect(text).toContain('Fix: Add the booking&#39;s host as a user of the Zoom account');
    expect(text).toContain('lost@example.com');
    const deliveries = text.slice(text.indexOf('Recent deliveries'), text.indexOf('Notifications'));
    expect(deliveries.match(/<tr>/g)).toHaveLength(5);
    expect(deliveries).toContain('bob@example.com');
  });

  it('escapes every value: an invitee named like markup stays text', async () => {
    await start();
    const event = created({ event: 'ev-x', invitee: 'x' });
    event.invitee.name = '<img src=x onerror=alert(1)>';
    event.eventName = '"><script>alert(2)</script>';
    await h.handle(event);

    const overview = await asOperator('/');
    const found = await asOperator('/bookings?q=ev-x');

    for (const { text } of [overview, found]) {
      expect(text).not.toContain('<script>alert');
      expect(text).not.toContain('<img src=x');
    }
    expect(found.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(overview.text).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('sends a strict Content-Security-Policy that allows exactly its own inline stylesheet', async () => {
    await start();
    const res = await asOperator('/');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/,
    );
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.text)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toContain(`'sha256-${hash}'`);
    expect(res.text).not.toMatch(/<script|<link|src=|@import|url\(/);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
  });

  it('never shows a start URL or a passcode', async () => {
    await start();
    await h.handle(created({ event: 'ev-1', invitee: 'ann' }));
    const meeting = (await h.store.get('ev-1'))?.meeting;
    const meetingId = meeting?.id ?? '';
    expect(meeting?.password).toMatch(/^pw\d{4}$/);
    for (const path of ['/', `/bookings?q=${meetingId}`, '/bookings?q=ann%40example.com']) {
      const { text } = await asOperator(path);
      expect(text).toContain(meetingId);
      expect(text).not.toContain(meeting?.password);
      expect(text).not.toMatch(/zak=|zoom\.example\/s\/|start_?url|passcode|"password"/i);
    }
  });

  it('the search box finds a booking by email or meeting id, and says when nothing or nonsense is asked', async () => {
    await start();
    await h.handle(created({ event: 'ev-1', invitee: 'ann' }));
    const meetingId = (await h.store.get('ev-1'))?.meeting?.id ?? '';

    const byEmail = await asOperator('/bookings?q=ANN%40example.com');
    expect(byEmail.text).toContain('data-booking="ev-1"');
    expect(byEmail.text).toContain('value="ANN@example.com"');
    const byMeeting = await asOperator(`/bookings?q=${meetingId}`);
    expect(byMeeting.text).toContain('data-booking="ev-1"');
    expect((await asOperator('/bookings?q=nobody%40example.com')).text).toContain(
      'No booking matches',
    );
    expect((await asOperator('/bookings?q=two+words')).text).toContain(
      'is not an invitee email, a Calendly URI, an event UUID or a Zoom meeting id',
    );
  });

  it('shows the notification outbox with consumer URLs by origin only', async () => {
    await start({
      store: new MemoryBookingStore({ notify: { channels: [`webhook:${HOOK}`] } }),
      notificationsOn: true,
    });
    await h.handle(created({ event: 'ev-1', invitee: 'ann' }));

    const { text } = await asOperator('/');

    expect(text).toMatch(/data-outbox="pending"[^>]*>\s*<b>1<\/b>/);
    expect(text).toContain('webhook:https://hooks.example.com/…');
    expect(text).not.toContain('secret-hook-path');
  });

  it('says notifications are off when no channel is configured', async () => {
    await start();
    expect((await asOperator('/')).text).toContain('Off: neither NOTIFY_URLS nor SMTP_URL is set.');
  });

  it('answers 503 with the reason when the store does not answer', async () => {
    await start();
    jest.spyOn(h.store, 'list').mockImplementation(() => {
      throw new StoreError('Upstash store unreachable');
    });
    const res = await asOperator('/');
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/The booking store did not answer:\s+Upstash store unreachable/);
    jest.restoreAllMocks();
  });
});

describe('the status page: the Calendly webhook subscription', () => {
  const subscription = (over: Partial<WebhookSubscription>): WebhookSubscription => ({
    uri: 'https://api.calendly.com/webhook_subscriptions/s1',
    uuid: 's1',
    callbackUrl: 'https://receiver.example.com/webhooks/calendly',
    state: 'active',
    events: ['invitee.created', 'invitee.canceled'],
    scope: 'organization',
    organization: 'org',
    user: null,
    createdAt: null,
    retryStartedAt: null,
    ...over,
  });
  const calendlyListing = (subs: WebhookSubscription[]): CalendlyClient =>
    ({
      getCurrentUser: async () => ({
        uri: 'u',
        name: 'n',
        email: 'e@example.com',
        organization: 'org',
        timezone: null,
      }),
      listWebhookSubscriptions: async ({ scope }: { scope: string }) =>
        subs.filter((s) => s.scope === scope),
    }) as unknown as CalendlyClient;

  it('says "not configured" without a Calendly token', async () => {
    await start();
    expect((await asOperator('/')).text).toContain('Not configured: CALENDLY_TOKEN is not set.');
  });

  it('shows each subscription by state, the callback by origin unless it is the receiver, and the fix for a disabled one', async () => {
    await start({
      calendly: calendlyListing([
        subscription({}),
        subscription({
          uuid: 's2',
          uri: 's2',
          state: 'disabled',
          callbackUrl: 'https://hook.eu1.make.com/secretmakehook',
          scope: 'user',
        }),
      ]),
    });
    const { text } = await asOperator('/');
    expect(text).toContain('https://receiver.example.com/webhooks/calendly');
    expect(text).toContain('https://hook.eu1.make.com/…');
    expect(text).not.toContain('secretmakehook');
    expect(text).toMatch(
      /data-subscription="disabled"[\s\S]*Disabled: Calendly stopped delivering/,
    );
  });

  it('says when Calendly could not be asked', async () => {
    await start({
      calendly: {
        getCurrentUser: async () => {
          throw new Error('Calendly answered 401: the token was revoked');
        },
      } as unknown as CalendlyClient,
    });
    expect((await asOperator('/')).text).toContain('the token was revoked');
  });
});
