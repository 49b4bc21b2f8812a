import { generateWebhookSecret, webhookSecretProblem } from '../../../src/notify/secret';
import {
  startNotificationConsumer,
  type NotificationConsumer,
} from '../../support/notification-consumer';
import { runCli } from '../cli/cli-test-kit';

const secret = generateWebhookSecret();

describe('calendly-zoom notify secret', () => {
  it('prints a new whsec_ secret each time', async () => {
    const first = await runCli(['notify', 'secret']);
    const second = await runCli(['notify', 'secret', '--json']);

    expect(first.code).toBe(0);
    const printed = first.stdout.trim();
    expect(webhookSecretProblem(printed)).toBeNull();
    const { secret: other } = JSON.parse(second.stdout) as { secret: string };
    expect(webhookSecretProblem(other)).toBeNull();
    expect(other).not.toBe(printed);
  });

  it.each([[[]], [['rotate']], [['secret', '--length', '3']]])(
    'exits 2 with the help for %j',
    async (args) => {
      const run = await runCli(['notify', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: calendly-zoom notify secret');
    },
  );
});

describe('calendly-zoom notifications test', () => {
  let consumer: NotificationConsumer;
  beforeEach(async () => {
    consumer = await startNotificationConsumer({ secret });
  });
  afterEach(() => consumer.close());

  const env = { NOTIFY_SECRET: secret };

  it('sends a signed sample the consumer verifies, and says so', async () => {
    const run = await runCli(['notifications', 'test', '--url', consumer.url], {
      env,
      now: Date.now(),
    });

    expect(run.code).toBe(0);
    const [delivery] = await consumer.waitFor(1);
    expect(delivery?.payload.type).toBe('meeting.created');
    expect(delivery?.webhookId).toMatch(/^sample_/);
    expect(run.stdout).toBe(
      `Sent a signed sample meeting.created (webhook-id ${delivery?.webhookId}) to http://127.0.0.1:${new URL(consumer.url).port}/…: HTTP 200, delivered.\n`,
    );
    expect(run.stdout + run.stderr).not.toContain(secret);
    expect(run.stdout).not.toContain('/hooks/calendly-zoom');
  });

  it('exits 1 naming the likely cause when the consumer refuses it', async () => {
    const other = await startNotificationConsumer({ secret: generateWebhookSecret() });
    try {
      const run = await runCli(['notifications', 'test', '--url', other.url, '--json'], {
        env,
        now: Date.now(),
      });
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({
        type: 'meeting.created',
        status: 401,
        delivered: false,
        error: 'HTTP 401',
      });
    } finally {
      await other.close();
    }
  });

  it('exits 1 when NOTIFY_SECRET is not set', async () => {
    const run = await runCli(['notifications', 'test', '--url', consumer.url], { env: {} });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('NOTIFY_SECRET is not set');
    expect(consumer.requests).toEqual([]);
  });

  it.each([[[]], [['--url', 'ftp://x']], [['--url', 'http://127.0.0.1:1/x', '--fast']]])(
    'exits 2 with the help for %j',
    async (args) => {
      const run = await runCli(['notifications', 'test', ...args], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('calendly-zoom notifications test --url URL');
    },
  );
});

describe('--help', () => {
  it.each([
    ['notify', /^Usage: calendly-zoom notify secret/],
    ['notifications', /calendly-zoom notifications list \[--failed\]/],
  ])('%s --help prints its usage and exits 0', async (command, usage) => {
    const run = await runCli([command, '--help'], { env: {} });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(usage);
  });
});
