// How soon after a lifecycle change does its notification arrive? The receiver runs in process
// on SQLite with webhook notifications on (a verifying consumer on 127.0.0.1 in this process);
// bookings arrive a few at a time, Zoom answers after 20 ms. Latency is measured from the change
// itself (the payload's timestamp, the store's clock) to the consumer's receipt. Target: median
// < 1 s. (Email is left out until the lifecycle hands the store the invitee's address.)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/log';
import { generateWebhookSecret } from '../src/notify/secret';
import { startReceiver } from '../src/server/start-receiver';
import { buildInviteeCreated, locations } from '../test/support/calendly-payloads';
import { startFakeZoomServer } from '../test/support/fake-zoom-server';
import { deliver } from '../test/support/http-request';
import { startNotificationConsumer } from '../test/support/notification-consumer';
import type { BenchResult } from './run';
import { percentile } from './stats';

const BOOKINGS = 200;
const IN_FLIGHT = 4;
const ZOOM_LATENCY_MS = 20;
const MAX_MEDIAN_MS = 1000;

export async function notificationsBench(): Promise<BenchResult> {
  const key = randomBytes(24).toString('base64url');
  const secret = generateWebhookSecret();
  const zoom = await startFakeZoomServer({ latencyMs: ZOOM_LATENCY_MS });
  const consumer = await startNotificationConsumer({ secret });
  const dir = mkdtempSync(join(tmpdir(), 'cz-notify-bench-'));
  const config = loadConfig(
    {
      ...zoom.env(),
      CALENDLY_SIGNING_KEY: key,
      ZOOM_DEFAULT_HOST: 'host@example.com',
      STORE_PATH: join(dir, 'bench.db'),
      NOTIFY_URLS: consumer.url,
      NOTIFY_SECRET: secret,
    },
    { signingKey: true, zoom: true },
  );
  const receiver = await startReceiver(config, { log: silentLogger, port: 0 });
  try {
    const run = randomBytes(4).toString('hex');
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < BOOKINGS) {
          const i = next++;
          const eventUuid = `bench-${run}-${i}`;
          const body = buildInviteeCreated({
            eventUuid,
            inviteeUuid: `inv-${run}-${i}`,
            location: locations.custom(),
          });
          const res = await deliver(receiver.url, body, { signingKey: key });
          if (res.status !== 200) throw new Error(`delivery ${i} answered ${res.status}`);
        }
      }),
    );
    const deliveries = await consumer.waitFor(BOOKINGS, undefined, 60_000);

    const webhook = deliveries.map((d) => d.receivedAt - Date.parse(d.payload.timestamp));
    const round = (x: number): number => Math.round(x * 10) / 10;
    const metrics = {
      webhook_median_ms: round(percentile(webhook, 50)),
      webhook_p95_ms: round(percentile(webhook, 95)),
      duplicate_webhook_ids: deliveries.length - new Set(deliveries.map((d) => d.webhookId)).size,
    };
    return {
      name: `notifications (${BOOKINGS} bookings, ${IN_FLIGHT} in flight)`,
      metrics,
      targets: { webhook_median_ms: { max: MAX_MEDIAN_MS }, duplicate_webhook_ids: { max: 0 } },
      pass: metrics.webhook_median_ms <= MAX_MEDIAN_MS && metrics.duplicate_webhook_ids === 0,
    };
  } finally {
    await receiver.close();
    await Promise.all([zoom.close(), consumer.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
