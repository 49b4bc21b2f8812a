import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { main } from '../../src/cli/main';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/start-sandbox';
import {
  startNotificationConsumer,
  type NotificationConsumer,
} from '../support/notification-consumer';
import { captureLogs, cliRun, keepNetworkLocal, type LogCapture } from './e2e-kit';

// The status page as a person uses it: Debian's Chromium, headless, driven by playwright-core,
// against the sandbox after real deliveries. Screenshots go to test/artifacts/.

jest.setTimeout(60_000);
keepNetworkLocal();

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const TOKEN = 'browser-test-status-token-0123456789abcdef';
const NOTIFY_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

let dir: string;
let logs: LogCapture;
let consumer: NotificationConsumer;
let sandbox: RunningSandbox;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    // Never skipped: without the browser this test cannot say the page works.
    throw new Error(
      `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` (.ci/run does).`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-browser-'));
  logs = captureLogs();
  consumer = await startNotificationConsumer({ secret: NOTIFY_SECRET });
  sandbox = await startSandbox({
    env: {
      SANDBOX_DIR: dir,
      STATUS_TOKEN: TOKEN,
      NOTIFY_URLS: `${consumer.url}/hooks/crm`,
      NOTIFY_SECRET,
    },
    log: logs.log,
    port: 0,
  });
  await deliverBookings();
  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  await consumer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Real deliveries through `trigger --sandbox`: two bookings, one cancelled, one for a host Zoom does not know. */
async function deliverBookings(): Promise<void> {
  const trigger = async (...args: string[]): Promise<number> =>
    main(['trigger', ...args, '--sandbox'], cliRun({ SANDBOX_DIR: dir }).io);
  expect(await trigger('invitee.created')).toBe(0);
  expect(await trigger('invitee.created')).toBe(0);
  expect(await trigger('invitee.canceled')).toBe(0);
  await consumer.waitFor(3);
  // The consumer wants no more: the next notification fails for good at once (410).
  consumer.fail(410);
  expect(await trigger('invitee.created', '--host', 'someone@else.test')).toBe(1);
  const outbox = sandbox.receiver.runtime.store.outbox;
  for (let i = 0; (await outbox.counts(Date.now())).failed === 0; i++) {
    // Said here, not as a puzzling tile count on a screenshot later.
    if (i === 100) throw new Error('the refused notification was not marked failed within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the browser said about each page: a Content-Security-Policy refusal would show here. */
const consoleMessages: string[] = [];

async function freshPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (message) => consoleMessages.push(message.text()));
  return page;
}

const tile = (page: Page, attribute: string, value: string) =>
  page.locator(`[${attribute}="${value}"] b`).innerText();

describe('the status page in a browser', () => {
  it('every page refuses a browser without the token', async () => {
    await browser.clearCookies();
    const page = await freshPage();
    for (const path of [
      '/',
      '/bookings',
      '/bookings?q=test.invitee%40example.com',
      '/logout',
      '/login',
    ]) {
      const response = await page.goto(`${sandbox.receiver.url}${path}`);
      expect({ path, status: response?.status() }).toEqual({ path, status: 401 });
      await expect(page.locator('h2').first().innerText()).resolves.toBe(
        'This page needs the status token',
      );
      expect(await page.content()).not.toContain('test.invitee@example.com');
    }
    await page.screenshot({ path: join(ARTIFACTS, 'status-refused.png'), fullPage: true });
    await page.close();
  });

  it('logs in through /login?token=, keeps a strict cookie, and shows what happened today', async () => {
    const page = await freshPage();
    await page.goto(sandbox.statusLoginUrl);
    expect(page.url()).toBe(`${sandbox.receiver.url}/`);

    const [cookie] = await browser.cookies(sandbox.receiver.url);
    expect(cookie).toMatchObject({ name: 'cz_status', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(TOKEN);

    await expect(page.locator('.sandbox').innerText()).resolves.toContain('SANDBOX');
    // The inline stylesheet passed the Content-Security-Policy: the banner has its colour.
    // Page-side code is a string: this project's TypeScript has no DOM types.
    const banner = await page.evaluate<string>(
      "getComputedStyle(document.querySelector('.sandbox')).backgroundColor",
    );
    expect(banner).toBe('rgb(154, 103, 0)');

    expect(await tile(page, 'data-outcome', 'created')).toBe('2');
    expect(await tile(page, 'data-outcome', 'cancelled')).toBe('1');
    expect(await tile(page, 'data-outcome', 'needs_attention')).toBe('1');
    expect(await tile(page, 'data-outcome', 'failed')).toBe('0');

    const attention = page.locator('section[aria-labelledby="attention"] .card');
    expect(await attention.count()).toBe(1);
    const card = await attention.innerText();
    expect(card).toContain('host_without_zoom_user');
    expect(card).toContain('someone@else.test');
    expect(card).toMatch(/Fix: Add the booking's host as a user of the Zoom account/);

    const deliveries = page.locator('section[aria-labelledby="deliveries"] tbody tr');
    expect(await deliveries.count()).toBe(4);
    expect(await deliveries.first().innerText()).toMatch(/invitee\.created\s+needs attention/);

    expect(await tile(page, 'data-outbox', 'delivered')).toBe('3');
    expect(await tile(page, 'data-outbox', 'failed')).toBe('1');
    const outbox = await page.locator('section[aria-labelledby="outbox"]').innerText();
    expect(outbox).toContain('booking.needs_attention');
    expect(outbox).toContain(`webhook:${new URL(consumer.url).origin}/…`);
    expect(outbox).not.toContain('/hooks/');

    await expect(page.locator('[data-subscription]').innerText()).resolves.toBe(
      'Not configured: the sandbox talks to no Calendly.',
    );

    const html = await page.content();
    expect(html).not.toMatch(/zak=|\/s\/\d+|start_?url/i);
    await page.screenshot({ path: join(ARTIFACTS, 'status-overview.png'), fullPage: true });
    await page.close();
  });

  it('the search box finds bookings by invitee email and by Zoom meeting id', async () => {
    const page = await freshPage();
    await page.goto(`${sandbox.receiver.url}/`);
    await page.fill('input[name="q"]', 'test.invitee@example.com');
    await page.click('form.search button');
    await page.waitForURL(/\/bookings\?q=/);
    const cards = page.locator('section[data-booking]');
    expect(await cards.count()).toBe(3);
    expect(await cards.first().innerText()).toMatch(/needs attention \(creating\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'status-search.png'), fullPage: true });

    const meetingId = [...sandbox.zoom.liveMeetings()][0]?.id ?? '';
    await page.fill('input[name="q"]', meetingId);
    await page.click('form.search button');
    await page.waitForURL(new RegExp(`q=${meetingId}`));
    expect(await cards.count()).toBe(1);
    expect(await cards.first().innerText()).toContain(`${meetingId} (host host@sandbox.test)`);
    await page.close();
  });

  it('is readable on a phone: nothing wider than the screen', async () => {
    const page = await freshPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${sandbox.receiver.url}/`);
    const widths = await page.evaluate<{ page: number; screen: number }>(
      '({ page: document.documentElement.scrollWidth, screen: window.innerWidth })',
    );
    expect(widths.page).toBeLessThanOrEqual(widths.screen);
    await page.screenshot({ path: join(ARTIFACTS, 'status-phone.png'), fullPage: true });
    await page.close();
  });

  it('logs out, and the token is nowhere in the log', async () => {
    const page = await freshPage();
    await page.goto(`${sandbox.receiver.url}/logout`);
    expect(page.url()).toBe(`${sandbox.receiver.url}/login`);
    expect((await page.goto(`${sandbox.receiver.url}/`))?.status()).toBe(401);
    await page.close();
    expect(logs.lines.join('\n')).not.toContain(TOKEN);
    expect(consoleMessages.filter((m) => /Content.Security.Policy|Refused to/i.test(m))).toEqual(
      [],
    );
    expect(logs.lines.some((line) => line.includes('"path":"/login"'))).toBe(true);
  });
});
