import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '../../../src/notify/secret';
import {
  createWebhookSender,
  outcomeOfStatus,
  parseRetryAfter,
} from '../../../src/notify/webhook-sender';
import {
  startNotificationConsumer,
  type NotificationConsumer,
} from '../../support/notification-consumer';
import { notice } from './notify-test-kit';

// The sender against a real consumer on 127.0.0.1 that verifies with the standardwebhooks package.

const secret = generateWebhookSecret();
let consumer: NotificationConsumer;

beforeEach(async () => {
  consumer = await startNotificationConsumer({ secret });
});
afterEach(() => consumer.close());

const sender = (extra: { timeoutMs?: number; now?: () => number } = {}) =>
  createWebhookSender({ secret, includePasscode: false, ...extra });

describe('the webhook sender', () => {
  it('sends a body the consumer verifies with the Standard Webhooks library', async () => {
    const n = notice();
    const attempt = await sender()(consumer.url, n);

    expect(attempt).toEqual({ status: 200, outcome: { type: 'delivered' } });
    const [delivery] = await consumer.waitFor(1);
    expect(delivery).toMatchObject({
      webhookId: n.id,
      payload: { type: 'meeting.created', timestamp: '2026-03-01T09:00:00.000Z' },
    });
    expect(consumer.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('keeps webhook-id across retries; webhook-timestamp is each attempt’s own', async () => {
    const n = notice();
    let clock = Date.now();
    const send = sender({ now: () => clock });
    consumer.fail(503);
    await send(consumer.url, n);
    clock += 60_000;
    consumer.recover();
    await send(consumer.url, n);

    const [first, second] = consumer.requests;
    expect(first?.webhookId).toBe(n.id);
    expect(second?.webhookId).toBe(n.id);
    expect((second?.timestamp ?? 0) - (first?.timestamp ?? 0)).toBe(60);
    expect(first?.verified && second?.verified).toBe(true);
  });

  it('is refused by a consumer holding another secret', async () => {
    const other = await startNotificationConsumer({ secret: generateWebhookSecret() });
    try {
      const attempt = await sender()(other.url, notice());
      expect(attempt.status).toBe(401);
      expect(other.requests[0]?.verified).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('refuses to send an email-only notice by webhook', async () => {
    const attempt = await sender()(consumer.url, notice({ type: 'invitee.joined' }));
    expect(attempt.outcome).toMatchObject({ type: 'give_up' });
    expect(consumer.requests).toEqual([]);
  });

  describe('against a consumer that answers badly', () => {
    let server: Server;
    let url: string;
    let answer: (res: import('node:http').ServerResponse) => void;

    beforeEach(async () => {
      server = createServer((_req, res) => answer(res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret-path-token`;
    });
    afterEach(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('does not follow a redirect: a 3xx is a failure to retry', async () => {
      answer = (res) => res.writeHead(301, { location: consumer.url }).end();
      const attempt = await sender()(url, notice());
      expect(attempt).toEqual({
        status: 301,
        outcome: { type: 'retry', error: 'HTTP 301', retryAfterMs: null },
      });
      expect(consumer.requests).toEqual([]);
    });

    it('retries a consumer that does not answer in time, without naming the URL', async () => {
      answer = () => undefined;
      const attempt = await sender({ timeoutMs: 100 })(url, notice());
      expect(attempt).toEqual({
        status: null,
        outcome: { type: 'retry', error: 'no answer within 100 ms', retryAfterMs: null },
      });
    });

    it('passes a 503’s Retry-After on', async () => {
      answer = (res) => res.writeHead(503, { 'retry-after': '120' }).end();
      const attempt = await sender()(url, notice());
      expect(attempt.outcome).toEqual({ type: 'retry', error: 'HTTP 503', retryAfterMs: 120_000 });
    });
  });

  it('retries when nothing listens, naming the cause but not the URL', async () => {
    const url = `${consumer.url}/secret-path-token`;
    await consumer.close();
    const attempt = await sender()(url, notice());
    expect(attempt).toEqual({
      status: null,
      outcome: { type: 'retry', error: 'no answer: ECONNREFUSED', retryAfterMs: null },
    });
    consumer = await startNotificationConsumer({ secret });
  });
});

describe('outcomeOfStatus (Standard Webhooks: 2xx success, 410 stop, anything else retry)', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(outcomeOfStatus(status, null, 0)).toEqual({ type: 'delivered' });
  });

  it('410 Gone gives up at once', () => {
    expect(outcomeOfStatus(410, null, 0)).toMatchObject({ type: 'give_up' });
  });

  it.each([301, 302, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504])(
    '%i is retried',
    (status) => {
      expect(outcomeOfStatus(status, null, 0)).toEqual({
        type: 'retry',
        error: `HTTP ${status}`,
        retryAfterMs: null,
      });
    },
  );
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T09:00:00Z');
  it.each<[string | null, number | null]>([
    ['30', 30_000],
    [' 0 ', 0],
    ['Sun, 01 Mar 2026 09:02:00 GMT', 120_000],
    ['Sun, 01 Mar 2026 08:00:00 GMT', 0],
    ['soon', null],
    ['', null],
    [null, null],
  ])('%j -> %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('a secret made by `notify secret`', () => {
  it('signs what the reference library verifies', () => {
    const s = generateWebhookSecret();
    const body = '{"a":1}';
    const signature = new Webhook(s).sign('msg_1', new Date(), body);
    expect(() =>
      new Webhook(s).verify(body, {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': signature,
      }),
    ).not.toThrow();
  });
});
