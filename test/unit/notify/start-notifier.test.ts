import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifyConfig } from '../../../src/config';
import { ConfigError } from '../../../src/errors';
import { silentLogger } from '../../../src/log';
import { generateWebhookSecret } from '../../../src/notify/secret';
import { startNotifier, type Notifier } from '../../../src/notify/start-notifier';
import { MemoryBookingStore } from '../../../src/store/memory';
import {
  startNotificationConsumer,
  type NotificationConsumer,
} from '../../support/notification-consumer';
import { startSmtpTestServer, type SmtpTestServer } from '../../support/smtp-test-server';
import { notice, settle, TestOutbox } from './notify-test-kit';

const secret = generateWebhookSecret();
let consumer: NotificationConsumer;
let smtp: SmtpTestServer;
let outbox: TestOutbox;
let notifier: Notifier | null;

beforeEach(async () => {
  consumer = await startNotificationConsumer({ secret });
  smtp = await startSmtpTestServer();
  outbox = new TestOutbox();
  notifier = null;
});
afterEach(async () => {
  await notifier?.close();
  await consumer.close();
  await smtp.close();
});

function config(overrides: Partial<NotifyConfig> = {}): NotifyConfig {
  return {
    webhookUrls: [consumer.url],
    secret,
    includePasscode: false,
    mail: {
      smtpUrl: smtp.url,
      from: 'bookings@acme.example',
      ccHost: false,
      templateDir: null,
      locale: 'en-US',
    },
    ...overrides,
  };
}

const start = (c: NotifyConfig) =>
  (notifier = startNotifier(c, outbox, { log: silentLogger, now: Date.now }));

describe('startNotifier', () => {
  it('sends each item on its channel: webhooks to their URL, email through SMTP', async () => {
    const n = notice();
    const webhook = outbox.add(n, `webhook:${consumer.url}`, Date.now());
    const email = outbox.add(n, 'email', Date.now());
    start(config());

    const [delivery] = await consumer.waitFor(1);
    const [mail] = await smtp.waitFor(1);
    expect(delivery?.webhookId).toBe(n.id);
    expect(mail?.envelope.to).toEqual(['jane@example.com']);
    await notifier?.close();
    expect(outbox.byId(webhook.itemId).status).toBe('delivered');
    expect(outbox.byId(email.itemId).status).toBe('delivered');
  });

  it('sends nothing more to a URL that NOTIFY_URLS no longer lists', async () => {
    const item = outbox.add(notice(), 'webhook:https://removed.example/hook', Date.now());
    start(config());
    await settle();
    await notifier?.close();
    expect(outbox.byId(item.itemId)).toMatchObject({
      status: 'failed',
      lastError: 'NOTIFY_URLS no longer lists this URL',
    });
  });

  it('sends no email once SMTP_URL is unset', async () => {
    const item = outbox.add(notice(), 'email', Date.now());
    start(config({ mail: null }));
    await settle();
    await notifier?.close();
    expect(outbox.byId(item.itemId)).toMatchObject({
      status: 'failed',
      lastError: 'SMTP_URL is no longer set',
    });
  });

  it('wakes on every change the watched store makes', async () => {
    const store = start(config({ mail: null })).watch(new MemoryBookingStore());
    await settle();
    const n = notice();
    outbox.add(n, `webhook:${consumer.url}`, Date.now());
    await store.releaseLease({ eventUuid: 'e', owner: 'o', now: 1, certainNoMeeting: false });
    // The poll is 10 s away: only the wake can have sent it this soon.
    expect((await consumer.waitFor(1, undefined, 2_000))[0]?.webhookId).toBe(n.id);
  });

  it('runs nothing when no channel is configured', async () => {
    outbox.add(notice(), 'email', Date.now());
    const store = new MemoryBookingStore();
    const idle = start(config({ webhookUrls: [], secret: null, mail: null }));
    await settle();
    expect(idle.watch(store)).toBe(store);
    expect(outbox.claims).toBe(0);
  });

  it('refuses to start with a bad email template, before opening anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendly-zoom-templates-'));
    try {
      writeFileSync(join(dir, 'meeting.created.html'), '{{join_link}}');
      const base = config();
      const mail = { ...base.mail!, templateDir: dir };
      expect(() => start({ ...base, mail })).toThrow(ConfigError);
      expect(outbox.claims).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
